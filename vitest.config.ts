import { defineConfig } from 'vitest/config';

// One run covers every suite: unit (`*.test.ts`), integration with real
// servers (`*.int.test.ts`) and end to end in Chromium (`tests/e2e`).
export default defineConfig({
  test: {
    include: [
      '{protocol,storage,sfu,classroom-server,docs-server,web,load-tests}/src/**/*.test.ts',
      'web/server/**/*.test.ts',
      'tests/**/*.test.ts',
      'deploy/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'web/build/**', 'web/.svelte-kit/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One migrated PGlite data folder that every test database starts from.
    globalSetup: ['tests/support/pgliteTemplate.ts'],
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    // Machines under load (2 cores, several Chromiums) need patience, not flakes.
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
