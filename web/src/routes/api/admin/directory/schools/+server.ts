import type { SchoolWithClasses } from '@preau/protocol';
import { listClasses, listSchools } from '@preau/storage';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Every school with its classes (directory admins only). */
export const GET: RequestHandler = api(async ({ locals }): Promise<SchoolWithClasses[]> => {
  requireRole(locals, 'admin');
  const db = locals.services.database.db;
  const [schools, classes] = [await listSchools(db), await listClasses(db)];
  return schools.map((s) => ({ ...s, classes: classes.filter((c) => c.uai === s.uai) }));
});
