/** Tables of the classroom feature, as Kysely sees them (its migrations: storage/migrations/). */
export type ClassroomTables = Record<never, never>;
