import { referenceModel } from '#lib/server/apiReference';
import { openApiDocument } from '#lib/server/openapi';
import type { PageServerLoad } from './$types';

/** The HTTP API's reference, read from the same generated document as /api/openapi.json. */
export const load: PageServerLoad = ({ locals, url }) => ({
  reference: referenceModel(openApiDocument(url.origin), locals.locale),
});
