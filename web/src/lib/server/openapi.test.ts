import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../../../tests/support/apiRoutes';
import { openApiDocument } from './openapi';

// The document is generated from each route's `_api` description: a route of
// the tree, or one of its methods, that is not described fails here.

const toOpenApi = (path: string) => path.replace(/\[(?:\.\.\.)?(\w+)\]/g, '{$1}');

describe('the OpenAPI document', () => {
  const doc = openApiDocument('http://localhost');
  const routes = apiRoutes();

  it('reads the route tree', () => {
    expect(routes.length).toBeGreaterThan(40);
  });

  it('describes every route and method of the tree', () => {
    const missing = routes.flatMap((r) =>
      r.methods
        .filter((m) => !doc.paths[toOpenApi(r.path)]?.[m.toLowerCase()])
        .map((m) => `${m} ${r.path} (${r.file})`),
    );
    expect(missing).toEqual([]);
  });

  it('describes nothing the tree does not serve', () => {
    const served = new Set(
      routes.flatMap((r) => r.methods.map((m) => `${m.toLowerCase()} ${toOpenApi(r.path)}`)),
    );
    const extra = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .map((m) => `${m} ${path}`)
        .filter((k) => !served.has(k)),
    );
    expect(extra).toEqual([]);
  });

  it('gives each operation its path parameters, a success answer and typed errors', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops) as Array<[string, OpenApiOp]>) {
        const where = `${method} ${path}`;
        const inPath = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(inPath, where).toEqual(names);
        const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
        expect(success, where).toHaveLength(1);
        expect(op.summary, where).toBeTruthy();
        expect(op['x-summary-fr'], where).toBeTruthy();
        if (op.security.length > 0) expect(op.responses['401'], where).toBeDefined();
        if (method !== 'get') expect(op.responses['403'], where).toBeDefined();
        if (op.requestBody) expect(op.responses['400'], where).toBeDefined();
      }
    }
  });

  it('renders the schemas the handlers parse with', () => {
    const create = doc.paths['/api/spaces']!.post as OpenApiOp;
    const body = JSON.stringify(create.requestBody);
    for (const kind of ['group', 'project', 'teaching']) expect(body).toContain(kind);
    const search = doc.paths['/api/archive/search']!.get as OpenApiOp;
    expect((search.parameters ?? []).map((p) => p.name)).toEqual(
      expect.arrayContaining(['person', 'space', 'kind', 'from', 'to', 'limit']),
    );
  });
});

interface OpenApiOp {
  summary: string;
  'x-summary-fr': string;
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: unknown;
  security: unknown[];
  responses: Record<string, unknown>;
}
