import { ArchiveSearch, type RecordView, TraceKind } from '@preau/protocol';
import { auditor, codeOf, deskOf, guardPage, resolvePerson } from '#lib/archive/server';
import type { PageServerLoad } from './$types';

/**
 * The archivist's search: by person (id or login), space, kind and period.
 * Nothing is searched (nor audited) until a person or a space is given.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = guardPage(locals, url, 'archivist');
  const raw = Object.fromEntries(url.searchParams);
  const kinds = TraceKind.options;
  if (!raw.person && !raw.space) {
    return { kinds, query: raw, records: null, next: null, error: null, unknownPerson: false };
  }
  // An archivist often knows a login, not the pseudonymous id: accept both.
  const person = await resolvePerson(locals, raw.person);
  const unknownPerson = !person.known;
  const parsed = ArchiveSearch.safeParse({ ...raw, person: person.id });
  if (!parsed.success) {
    return { kinds, query: raw, records: null, next: null, error: 'bad_request', unknownPerson };
  }
  try {
    const found = await deskOf(locals).search(auditor(user, 'archivist'), parsed.data);
    return {
      kinds,
      query: raw,
      records: found.records as RecordView[],
      next: found.next,
      error: null,
      unknownPerson,
    };
  } catch (err) {
    return {
      kinds,
      query: raw,
      records: null,
      next: null,
      error: codeOf(locals, err),
      unknownPerson,
    };
  }
};
