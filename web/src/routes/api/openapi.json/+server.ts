import { z } from 'zod';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * The HTTP API described as OpenAPI 3.1, generated from each route's
 * description. Loaded at the first request: the document reads every route
 * module, this one included, which must not wait on it.
 */
export const GET: RequestHandler = async ({ url }) => {
  const { openApiDocument } = await import('#lib/server/openapi');
  return Response.json(openApiDocument(url.origin));
};

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Ce document : l’API HTTP décrite en OpenAPI 3.1, générée depuis les schémas de chaque route',
      en: 'This document: the HTTP API described as OpenAPI 3.1, generated from each route’s schemas',
    },
    tag: 'reference',
    access: 'public',
    raw: 'application/json',
    response: z.looseObject({ openapi: z.literal('3.1.0') }).describe('an OpenAPI 3.1 document'),
  },
});
