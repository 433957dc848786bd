import { CloseCase, LiftHold, PlaceHold } from '@preau/protocol';
import { error, fail } from '@sveltejs/kit';
import { codeOf, formFields, guardPage, parisInstant, parisPeriod } from '#lib/archive/server';
import type { Actions, PageServerLoad } from './$types';

/** A case file: its holds and its exports, with the forms that act on them. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const user = guardPage(locals, url, 'archivist');
  try {
    return await locals.services.archive.casePage(user, params.id);
  } catch (err) {
    const code = codeOf(locals, err);
    error(code === 'not_found' ? 404 : 500, { code, message: code });
  }
};

const status = (code: string) => (code === 'bad_request' ? 400 : code === 'not_found' ? 404 : 409);

export const actions: Actions = {
  hold: async ({ locals, url, params, request }) => {
    const user = guardPage(locals, url, 'archivist');
    const fields = formFields(await request.formData());
    const { archive } = locals.services;
    // Chosen by name in the list; without scripts, the typed name must match exactly one.
    const [space, person] = await Promise.all([
      archive.pick(user, 'space', fields.space, fields.spaceText),
      archive.pick(user, 'person', fields.person, fields.personText),
    ]);
    if (space.text !== undefined || person.text !== undefined)
      return fail(400, { action: 'hold', error: 'picker', fields });
    const parsed = PlaceHold.safeParse({
      ...fields,
      space: space.id,
      person: person.id,
      ...parisPeriod(fields.from, fields.until),
    });
    if (!parsed.success) return fail(400, { action: 'hold', error: 'bad_request', fields });
    try {
      await archive.placeHold(user, params.id, parsed.data);
      return { action: 'hold', done: true };
    } catch (err) {
      const code = codeOf(locals, err);
      return fail(status(code), { action: 'hold', error: code, fields });
    }
  },
  lift: async ({ locals, url, params, request }) => {
    const user = guardPage(locals, url, 'archivist');
    const fields = formFields(await request.formData());
    const parsed = LiftHold.safeParse(fields);
    if (!parsed.success || !fields.hold) return fail(400, { action: 'lift', error: 'bad_request' });
    try {
      await locals.services.archive.liftHold(user, params.id, fields.hold, parsed.data.reason);
      return { action: 'lift', done: true };
    } catch (err) {
      const code = codeOf(locals, err);
      return fail(status(code), { action: 'lift', error: code });
    }
  },
  close: async ({ locals, url, params, request }) => {
    const user = guardPage(locals, url, 'archivist');
    const fields = formFields(await request.formData());
    const parsed = CloseCase.safeParse(fields);
    // Each refusal names what to fix: the outcome, the date, or the confirmation.
    const invalid = (error: string) => fail(400, { action: 'close', error, fields });
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path[0];
      return invalid(field === 'outcome' ? 'close.outcome' : 'close.date');
    }
    if (fields.confirm !== 'yes') return invalid('close.confirm');
    try {
      const { holdsLifted } = await locals.services.archive.closeCase(user, params.id, parsed.data);
      return { action: 'close', done: true, lifted: holdsLifted.length };
    } catch (err) {
      const code = codeOf(locals, err);
      if (code === 'bad_request') return invalid('close.date');
      return fail(status(code), {
        action: 'close',
        error: code === 'conflict' ? 'close.closed' : code,
        fields,
      });
    }
  },
  export: async ({ locals, url, params, request }) => {
    const user = guardPage(locals, url, 'archivist');
    const fields = formFields(await request.formData());
    const moments: Date[] = [];
    for (const name of ['moment1', 'moment2', 'moment3']) {
      if (!fields[name]) continue;
      const at = parisInstant(fields[name]);
      if (!at) return fail(400, { action: 'export', error: 'bad_request' });
      moments.push(at);
    }
    try {
      const { view } = await locals.services.archive.export(user, params.id, moments);
      return { action: 'export', done: true, records: view.records, pending: view.pending };
    } catch (err) {
      const code = codeOf(locals, err);
      return fail(status(code), { action: 'export', error: code });
    }
  },
};
