import { requireAdminPage } from '#lib/server/admin';
import type { PageServerLoad } from './$types';

/** The directory at a glance: schools, their classes and sizes. */
export const load: PageServerLoad = async ({ locals, url }) =>
  locals.services.directory.overview(requireAdminPage(locals, url));
