import { requireAdminPage } from '#lib/server/admin';
import type { PageServerLoad } from './$types';

const PAGE = 50;
/** The longest search the directory takes; the field shows it as the admin types. */
const QUERY_MAX = 100;

/** People of the directory, searched by name or login and filtered by school. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const admin = requireAdminPage(locals, url);
  const { directory } = locals.services;
  const q = (url.searchParams.get('q') ?? '').trim().slice(0, QUERY_MAX);
  const uai = url.searchParams.get('uai') ?? '';
  const page = Math.max(0, Number.parseInt(url.searchParams.get('page') ?? '0', 10) || 0);
  const [schools, found] = [
    await directory.schoolList(admin),
    await directory.personsWithClasses(admin, {
      q,
      uai: uai || undefined,
      limit: PAGE,
      offset: page * PAGE,
    }),
  ];
  return {
    q,
    queryMax: QUERY_MAX,
    uai,
    page,
    pageSize: PAGE,
    schools,
    total: found.total,
    persons: found.persons,
  };
};
