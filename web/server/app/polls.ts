import { type PollResults, type PollView, PreauError, type SessionUser } from '@preau/protocol';
import {
  answersOfPoll,
  findPoll,
  getSession,
  pollViewOf,
  type Schema,
  type StoredPoll,
  type StoredPollAnswer,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess } from './access';

type User = Pick<SessionUser, 'id' | 'name' | 'profiles' | 'roles'>;

/** A poll with its results and the session it was asked in. */
export interface PollReport {
  poll: PollView;
  results: PollResults;
  session: { sessionId: string; title: string; space: string; startedAt: string | null };
}

/**
 * Polls of live sessions outside the room: a poll's results (with who
 * answered what, for a named poll) for the moderators of its space, for the
 * CSV export. Asking and answering happen in the classroom server.
 */
export class PollsService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;

  constructor(deps: { db: Kysely<Schema>; access: SpaceAccess }) {
    this.#db = deps.db;
    this.#access = deps.access;
  }

  /** A poll's results, for those who moderate its space; `spaceId` (a page's) must be the poll's. */
  async report(user: User, pollId: string, spaceId?: string): Promise<PollReport> {
    const poll = await findPoll(this.#db, pollId);
    if (!poll || (spaceId !== undefined && poll.space !== spaceId)) {
      throw new PreauError('not_found', 'no such poll');
    }
    await this.#access.require(user, poll.space, 'moderate');
    const session = await getSession(this.#db, poll.sessionId);
    if (!session) throw new PreauError('not_found', 'no such session');
    return {
      poll: pollViewOf(poll),
      results: resultsOf(poll, await answersOfPoll(this.#db, poll.id)),
      session: {
        sessionId: session.id,
        title: session.title,
        space: session.space,
        startedAt: session.startedAt?.toISOString() ?? null,
      },
    };
  }
}

/** Counts, texts and (named polls) each person's answer; an erased answer counts without a name. */
export function resultsOf(poll: StoredPoll, answers: StoredPollAnswer[]): PollResults {
  const counts = poll.options.map(() => 0);
  const texts: string[] = [];
  const named: NonNullable<PollResults['named']> = [];
  for (const a of answers) {
    for (const c of a.choices) if (c < counts.length) counts[c] = (counts[c] ?? 0) + 1;
    if (a.text) texts.push(a.text);
    if (!poll.anonymous && a.personId && a.personName !== null) {
      named.push({
        participantId: a.personId,
        name: a.personName,
        choices: a.choices,
        text: a.text,
      });
    }
  }
  return {
    pollId: poll.id,
    respondents: answers.length,
    counts,
    texts,
    ...(poll.anonymous ? {} : { named }),
  };
}
