import { error } from '@sveltejs/kit';
import { auditor, codeOf, deskOf, guardPage } from '#lib/archive/server';
import type { PageServerLoad } from './$types';

/** One record in full, names resolved now; the reading is audited. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = guardPage(locals, url, 'archivist');
  const seq = Number(params.seq);
  if (!Number.isSafeInteger(seq) || seq < 1)
    error(404, { code: 'not_found', message: 'not found' });
  try {
    return { record: await deskOf(locals).read(auditor(user, 'archivist'), params.space, seq) };
  } catch (err) {
    const code = codeOf(locals, err);
    error(code === 'not_found' ? 404 : 500, { code, message: code });
  }
};
