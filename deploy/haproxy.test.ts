import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHaproxyConfig } from './haproxy';

const nodes = (kind: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `${kind}${i + 1}`,
    address: `127.0.0.1:${4000 + i}`,
  }));

/** Whether Debian's haproxy accepts the configuration (`haproxy -c`). */
function expectValid(cfg: string) {
  const dir = mkdtempSync(join(tmpdir(), 'preau-haproxy-'));
  try {
    writeFileSync(join(dir, 'haproxy.cfg'), cfg);
    const check = spawnSync('haproxy', ['-c', '-f', join(dir, 'haproxy.cfg')], {
      encoding: 'utf8',
    });
    expect(check.stdout + check.stderr).toContain('Configuration file is valid');
    expect(check.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the HAProxy configuration', () => {
  it('is accepted by Debian’s haproxy and routes each path to its nodes', () => {
    const cfg = renderHaproxyConfig({
      listen: '127.0.0.1:8080',
      web: nodes('web', 2),
      classroom: nodes('classroom', 2),
      docs: nodes('docs', 3),
      statsSocket: '/tmp/preau-haproxy-test.sock',
    });
    expectValid(cfg);
    expect(cfg).toMatch(/acl live path_beg \/live\//);
    expect(cfg).toMatch(/acl docs path_beg \/docs-ws\//);
    expect(cfg).toContain('server docs3 127.0.0.1:4002 check');
    expect(cfg).toContain('server web2 127.0.0.1:4001 track web/web2 cookie web2');
    expect(cfg).toContain('timeout tunnel 2h');
    // Threads: HAProxy's default (one per CPU) unless said.
    expect(cfg).not.toContain('nbthread');
  });

  it('runs the number of threads it is given', () => {
    const cfg = renderHaproxyConfig({
      listen: '127.0.0.1:8080',
      web: nodes('web', 1),
      classroom: nodes('classroom', 1),
      docs: nodes('docs', 1),
      statsSocket: '/tmp/s.sock',
      threads: 1,
    });
    expectValid(cfg);
    expect(cfg).toMatch(/^global\n(?:.*\n)*? {2}nbthread 1\n/m);
  });

  it('refuses a node whose name or address would break the file', () => {
    expect(() =>
      renderHaproxyConfig({
        listen: '127.0.0.1:8080',
        web: [{ name: 'web1\n  server evil', address: '127.0.0.1:1' }],
        classroom: [],
        docs: [],
        statsSocket: '/tmp/s.sock',
      }),
    ).toThrow(/bad node/);
  });
});
