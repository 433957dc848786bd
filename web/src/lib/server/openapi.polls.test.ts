import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';

describe('OpenAPI document: live polls', () => {
  it('documents a poll’s results with its schemas', () => {
    const doc = openApiDocument('http://localhost');
    const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
    const get = paths['/api/live/polls/{pollId}']?.get;
    expect(get).toBeDefined();
    expect((get!.parameters as Array<{ name: string }>).map((p) => p.name)).toEqual(['pollId']);
  });
});
