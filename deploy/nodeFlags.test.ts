import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_NODE_ENV, DOCUMENT_NODE_FLAGS, nodeEnvFor, nodeFlagsFor } from './nodeFlags';

describe('the flags of the processes holding documents', () => {
  it('are those `./preau start` gives the one-port server', () => {
    const script = readFileSync(new URL('../preau', import.meta.url), 'utf8');
    const start = script.split('\n').find((line) => line.includes('web/server/main.ts'));
    expect(start).toBe(
      `    exec node ${DOCUMENT_NODE_FLAGS.join(' ')} --import tsx web/server/main.ts`,
    );
    // And its environment, each setting unless the operator's already has it.
    const lines = script.split('\n');
    const exported = lines.slice(lines.indexOf(start!) - 5, lines.indexOf(start!));
    for (const [name, value] of Object.entries(DOCUMENT_NODE_ENV)) {
      expect(exported).toContain(`    export ${name}=\${${name}:-${value}}`);
    }
  });

  it('are flags this Node accepts on its command line', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [...DOCUMENT_NODE_FLAGS, '-e', 'process.exit(0)'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('go to the docs server only, named from the root or absolutely', () => {
    expect(nodeFlagsFor('docs-server/src/main.ts')).toEqual(DOCUMENT_NODE_FLAGS);
    expect(nodeFlagsFor('/srv/preau/docs-server/src/main.ts')).toEqual(DOCUMENT_NODE_FLAGS);
    expect(nodeFlagsFor('classroom-server/src/main.ts')).toEqual([]);
    expect(nodeFlagsFor('web/server/main.ts')).toEqual([]);
    expect(nodeEnvFor('/srv/preau/docs-server/src/main.ts')).toEqual({
      MALLOC_ARENA_MAX: '2',
      MALLOC_TRIM_THRESHOLD_: '131072',
    });
    expect(nodeEnvFor('classroom-server/src/main.ts')).toEqual({});
  });
});
