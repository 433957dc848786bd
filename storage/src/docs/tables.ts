/** Tables of the docs feature, as Kysely sees them (its migrations: storage/migrations/). */
export type DocsTables = Record<never, never>;
