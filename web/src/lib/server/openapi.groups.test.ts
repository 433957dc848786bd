import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';

describe('OpenAPI document: work groups and projects', () => {
  it('documents every groups endpoint with its schemas', () => {
    const doc = openApiDocument('http://localhost');
    const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
    for (const [path, method] of [
      ['/api/spaces/{spaceId}/members', 'get'],
      ['/api/spaces/{spaceId}/members/{personId}', 'patch'],
      ['/api/spaces/{spaceId}/members/{personId}', 'delete'],
      ['/api/spaces/{spaceId}/invitations', 'get'],
      ['/api/spaces/{spaceId}/invitations', 'post'],
      ['/api/spaces/{spaceId}/invitations/{invitationId}', 'delete'],
      ['/api/spaces/{spaceId}/invitees', 'get'],
      ['/api/spaces/{spaceId}/state', 'post'],
      ['/api/spaces/{spaceId}/classes', 'get'],
      ['/api/spaces/{spaceId}/classes', 'post'],
      ['/api/spaces/{spaceId}/guests', 'post'],
      ['/api/invitations', 'get'],
      ['/api/invitations/{invitationId}', 'post'],
      ['/api/schools/{uai}/settings', 'get'],
      ['/api/schools/{uai}/settings', 'put'],
      ['/api/me/notifications', 'get'],
    ] as const)
      expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const invitees = paths['/api/spaces/{spaceId}/invitees']!.get!.parameters as Array<{
      name: string;
    }>;
    expect(invitees.map((p) => p.name)).toEqual(['spaceId', 'q']);
    const answer = paths['/api/invitations/{invitationId}']!.post!.requestBody as {
      content: { 'application/json': { schema: { required: string[] } } };
    };
    expect(answer.content['application/json'].schema.required).toEqual(['accept']);
  });
});
