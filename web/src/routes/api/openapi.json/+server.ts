import { openApiDocument } from '#lib/server/openapi';
import type { RequestHandler } from './$types';

/** The HTTP API described as OpenAPI 3.1, generated from the shared zod schemas. */
export const GET: RequestHandler = ({ url }) => Response.json(openApiDocument(url.origin));
