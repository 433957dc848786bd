/** Tables of the archive feature, as Kysely sees them (its migrations: storage/migrations/). */
export type ArchiveTables = Record<never, never>;
