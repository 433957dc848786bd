import { error } from '@sveltejs/kit';
import { codeOf, guardPage } from '#lib/archive/server';
import type { PageServerLoad } from './$types';

/** One record in full, names resolved now; the reading is audited. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = guardPage(locals, url, 'archivist');
  try {
    return { record: await locals.services.archive.read(user, params.space, Number(params.seq)) };
  } catch (err) {
    const code = codeOf(locals, err);
    error(code === 'not_found' ? 404 : 500, { code, message: code });
  }
};
