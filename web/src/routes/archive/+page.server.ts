import { ArchiveSearch, type RecordView, TraceKind } from '@preau/protocol';
import { codeOf, guardPage, type Picked, parisPeriod } from '#lib/archive/server';
import type { PageServerLoad } from './$types';

/**
 * The archivist's search: a space and/or a person chosen by name, a kind
 * and a period. Nothing is searched (nor audited) until a space or a
 * person is chosen; typed text that names several is offered as a choice.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = guardPage(locals, url, 'archivist');
  const { archive } = locals.services;
  const raw = Object.fromEntries(url.searchParams);
  // Old links and scripts give a person by login: accept it as well as the id.
  const person = raw.person ? await archive.resolvePerson(user, raw.person) : null;
  const [space, who]: [Picked, Picked] = await Promise.all([
    archive.pick(user, 'space', raw.space, raw.spaceText),
    archive.pick(user, 'person', person?.id, raw.personText),
  ]);
  const query: Record<string, string> = { ...raw };
  delete query.spaceText;
  delete query.personText;
  if (space.id) query.space = space.id;
  if (who.id) query.person = who.id;
  const labels = await archive.labels(user, space.id ? [space.id] : [], who.id ? [who.id] : []);
  const base = {
    kinds: TraceKind.options,
    query,
    chosenSpace: space.id ? (labels.spaces.get(space.id) ?? null) : null,
    chosenPerson: who.id ? (labels.persons.get(who.id) ?? null) : null,
    pending: { space, person: who },
    unknownPerson: person !== null && !person.known,
    records: null as RecordView[] | null,
    /** Acts matching the search still waiting in the trace outbox (not among the records). */
    waiting: 0,
    next: null as string | null,
    error: null as string | null,
  };
  const undecided = space.text !== undefined || who.text !== undefined;
  if (undecided || (!space.id && !who.id)) return base;
  // The form's days are Paris days: from the start of one to the end of the other.
  const period = parisPeriod(query.from, query.to);
  const parsed = ArchiveSearch.safeParse({
    ...query,
    space: space.id,
    person: who.id,
    from: period.from,
    to: period.until,
  });
  if (!parsed.success) return { ...base, error: 'bad_request' };
  try {
    const found = await archive.search(user, parsed.data);
    return { ...base, records: found.records, next: found.next, waiting: found.pending };
  } catch (err) {
    return { ...base, error: codeOf(locals, err) };
  }
};
