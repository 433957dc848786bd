import { OpenCase } from '@preau/protocol';
import { fail, redirect } from '@sveltejs/kit';
import { codeOf, formFields, guardPage } from '#lib/archive/server';
import type { Actions, PageServerLoad } from './$types';

/** The list of cases and the form that opens one. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = guardPage(locals, url, 'archivist');
  const { archive } = locals.services;
  const cases = await archive.listCases(user);
  const { persons } = await archive.labels(
    user,
    [],
    cases.map((c) => c.openedBy),
  );
  // Who opened each case, by name (archivists are named; traces' people are not listed here).
  const openers = Object.fromEntries([...persons].map(([id, p]) => [id, p.name]));
  return { cases, openers };
};

export const actions: Actions = {
  open: async ({ locals, url, request }) => {
    const user = guardPage(locals, url, 'archivist');
    const fields = formFields(await request.formData());
    const parsed = OpenCase.safeParse(fields);
    if (!parsed.success) return fail(400, { error: 'bad_request', fields });
    let id: string;
    try {
      id = (await locals.services.archive.openCase(user, parsed.data)).id;
    } catch (err) {
      return fail(409, { error: codeOf(locals, err), fields });
    }
    redirect(303, `/archive/cases/${id}`);
  },
};
