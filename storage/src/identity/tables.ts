/** Tables of the identity feature, as Kysely sees them (its migrations: storage/migrations/). */
export type IdentityTables = Record<never, never>;
