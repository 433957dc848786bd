import { requireAdminPage } from '#lib/server/admin';
import type { LayoutServerLoad } from './$types';

/** Every admin page is for directory admins only (form actions check again). */
export const load: LayoutServerLoad = ({ locals, url }) => {
  requireAdminPage(locals, url);
  return {};
};
