import { listPersons, listSchools } from '@preau/storage';
import type { PageServerLoad } from './$types';

const PAGE = 50;

/** People of the directory, searched by name or login and filtered by school. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const db = locals.services.database.db;
  const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
  const uai = url.searchParams.get('uai') ?? '';
  const page = Math.max(0, Number.parseInt(url.searchParams.get('page') ?? '0', 10) || 0);
  const [schools, found] = [
    await listSchools(db),
    await listPersons(db, { q, uai: uai || undefined, limit: PAGE, offset: page * PAGE }),
  ];
  return { q, uai, page, pageSize: PAGE, schools, ...found };
};
