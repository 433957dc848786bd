import {
  ANONYMOUS_ACTOR,
  type AnswerPollRequest,
  type CreatePollRequest,
  type NamedAnswer,
  POLL_LIMITS,
  type PollResults,
  type PollState,
  type PollView,
  PreauError,
  YES_NO_OPTIONS,
} from '@preau/protocol';
import {
  answersOfPoll,
  closeOpenPollsOf,
  closePoll,
  insertPoll,
  insertPollAnswer,
  pollsOfSession,
  pollViewOf,
  publishPoll,
  type StoredPoll,
} from '@preau/storage';
import { newId } from '../session/ids';
import type { Participant } from '../session/LiveSession';
import { socketOf } from '../session/participantMachine';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';
import { AnsweredSet } from './AnsweredSet';

/** The actor of a poll closed because its process stopped while it ran. */
const SYSTEM = 'system';

/** One poll held by the session: its view, its tallies and who already answered. */
interface LivePoll {
  view: PollView;
  counts: number[];
  texts: string[];
  named: NamedAnswer[];
  respondents: number;
  answered: AnsweredSet;
}

/**
 * A session's polls: moderators ask, stop and publish; everyone answers an
 * open poll once. An anonymous poll's answers are written and traced
 * without any person id (see AnsweredSet for how double answers are
 * refused). Moderators get live results after each answer; the class sees
 * aggregates only, once published.
 */
export class SessionPolls {
  readonly #s: SessionContext;
  readonly #polls = new Map<string, LivePoll>();
  #loaded: Promise<void> | null = null;

  constructor(session: SessionContext) {
    this.#s = session;
  }

  /**
   * Loads the session's polls once (inside the queue). Polls a stopped
   * process left open are closed: their anonymous secret is gone, so double
   * answers could no longer be refused.
   */
  load(): Promise<void> {
    this.#loaded ??= this.#load().catch((err: unknown) => {
      this.#loaded = null;
      throw err;
    });
    return this.#loaded;
  }

  async #load() {
    const s = this.#s;
    const stored = await s.write(async (tx) => {
      const at = s.now();
      for (const id of await closeOpenPollsOf(tx, s.id, at)) {
        await s.trace(tx, SYSTEM, 'poll.closed', id, { session: s.id, reason: 'interrupted' }, at);
      }
      const loaded = [];
      for (const poll of await pollsOfSession(tx, s.id)) {
        loaded.push({ poll, answers: await answersOfPoll(tx, poll.id) });
      }
      return loaded;
    });
    for (const { poll, answers } of stored) {
      const live = newLivePoll(pollViewOf(poll));
      for (const a of answers) tally(live, a.choices, a.text, a.personId, a.personName);
      this.#polls.set(poll.id, live);
    }
  }

  /** The polls as one participant may see them. */
  stateFor(p: { id: string; moderator: boolean }): PollState[] {
    return [...this.#polls.values()].map((live) => ({
      poll: live.view,
      answered: live.view.state === 'open' && live.answered.has(p.id),
      results: p.moderator ? fullResults(live) : live.view.published ? publicResults(live) : null,
    }));
  }

  /** A moderator asks a question; it opens for everyone at once (one open poll at a time). */
  create(actor: Actor, req: CreatePollRequest): Promise<PollView> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      if ([...this.#polls.values()].some((l) => l.view.state === 'open')) {
        throw new PreauError('conflict', 'stop the open poll first');
      }
      if (this.#polls.size >= POLL_LIMITS.perSession) {
        throw new PreauError('conflict', 'too many polls in this session');
      }
      const options =
        req.kind === 'yes_no'
          ? [...YES_NO_OPTIONS]
          : req.kind === 'text'
            ? []
            : (req.options ?? []);
      const at = s.now();
      const stored: StoredPoll = {
        id: newId('poll'),
        sessionId: s.id,
        space: s.space,
        kind: req.kind,
        question: req.question,
        options,
        anonymous: req.anonymous,
        createdBy: p.id,
        createdAt: at,
        closedAt: null,
        publishedAt: null,
      };
      await s.write(async (tx) => {
        await insertPoll(tx, stored);
        await s.trace(
          tx,
          p.id,
          'poll.created',
          stored.id,
          {
            session: s.id,
            kind: req.kind,
            question: req.question,
            options,
            anonymous: req.anonymous,
          },
          at,
        );
      });
      const live = newLivePoll(pollViewOf(stored));
      this.#polls.set(stored.id, live);
      s.broadcast('poll.updated', live.view);
      this.#sendResults(live);
      return live.view;
    });
  }

  /** A participant answers an open poll, once. */
  answer(actor: Actor, req: AnswerPollRequest): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      const live = this.#get(req.pollId);
      if (live.view.state !== 'open') throw new PreauError('conflict', 'this poll is closed');
      const choices = checkAnswer(live.view, req);
      const text = live.view.kind === 'text' ? (req.text ?? null) : null;
      if (live.answered.has(p.id)) throw new PreauError('conflict', 'already answered');
      const anonymous = live.view.anonymous;
      const at = s.now();
      await s.write(async (tx) => {
        await insertPollAnswer(tx, {
          id: newId('pa'),
          pollId: live.view.pollId,
          anonymous,
          personId: anonymous ? null : p.id,
          personName: anonymous ? null : p.name,
          choices,
          text,
          answeredAt: at,
        });
        await s.trace(
          tx,
          anonymous ? ANONYMOUS_ACTOR : p.id,
          'poll.answered',
          live.view.pollId,
          { session: s.id, choices, ...(text !== null ? { text } : {}) },
          at,
        );
      });
      live.answered.add(p.id);
      tally(live, choices, text, anonymous ? null : p.id, anonymous ? null : p.name);
      this.#sendResults(live);
    });
  }

  /** A moderator stops a poll: no more answers; an anonymous poll forgets who answered. */
  close(actor: Actor, pollId: string): Promise<PollView> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const live = this.#get(pollId);
      await this.#close(p.id, live);
      return live.view;
    });
  }

  /** A moderator shows the results to the class (stopping the poll first if it is open). */
  publish(actor: Actor, pollId: string): Promise<PollResults> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const live = this.#get(pollId);
      await this.#close(p.id, live);
      const results = publicResults(live);
      if (!live.view.published) {
        const at = s.now();
        await s.write(async (tx) => {
          await publishPoll(tx, pollId, at);
          await s.trace(tx, p.id, 'poll.published', pollId, {
            session: s.id,
            respondents: results.respondents,
            counts: results.counts,
          });
        });
        live.view = { ...live.view, published: true };
      }
      s.broadcast('poll.published', { poll: live.view, results });
      return results;
    });
  }

  /** A moderator reads the live results. */
  results(actor: Actor, pollId: string): Promise<PollResults> {
    const s = this.#s;
    return s.run(async () => {
      s.requireModerator(actor);
      return fullResults(this.#get(pollId));
    });
  }

  async #close(by: string, live: LivePoll) {
    const s = this.#s;
    if (live.view.state === 'closed') return;
    const at = s.now();
    await s.write(async (tx) => {
      if (!(await closePoll(tx, live.view.pollId, at))) return;
      await s.trace(
        tx,
        by,
        'poll.closed',
        live.view.pollId,
        { session: s.id, respondents: live.respondents, counts: live.counts },
        at,
      );
    });
    live.view = { ...live.view, state: 'closed', closedAt: at.toISOString() };
    live.answered.discard();
    s.broadcast('poll.updated', live.view);
    this.#sendResults(live);
  }

  #get(pollId: string): LivePoll {
    const live = this.#polls.get(pollId);
    if (!live) throw new PreauError('not_found', 'no such poll');
    return live;
  }

  /** Live results go to moderators only. */
  #sendResults(live: LivePoll) {
    const results = fullResults(live);
    for (const p of this.#s.participants() as Iterable<Participant>) {
      const socket = p.moderator ? socketOf(p.state) : null;
      if (socket) this.#s.send(socket, 'poll.results', results);
    }
  }
}

function newLivePoll(view: PollView): LivePoll {
  return {
    view,
    counts: view.options.map(() => 0),
    texts: [],
    named: [],
    respondents: 0,
    answered: new AnsweredSet(view.anonymous),
  };
}

function tally(
  live: LivePoll,
  choices: number[],
  text: string | null,
  personId: string | null,
  name: string | null,
) {
  live.respondents += 1;
  for (const c of choices) if (c < live.counts.length) live.counts[c] = (live.counts[c] ?? 0) + 1;
  if (text) live.texts.push(text);
  if (personId && name !== null) live.named.push({ participantId: personId, name, choices, text });
  if (personId && live.view.state === 'open') live.answered.add(personId);
}

/** The choices an answer makes, checked against its poll's kind and options. */
function checkAnswer(poll: PollView, req: AnswerPollRequest): number[] {
  if (poll.kind === 'text') {
    if (req.text === undefined) throw new PreauError('bad_request', 'this poll takes a text');
    return [];
  }
  const choices = req.choices;
  if (!choices) throw new PreauError('bad_request', 'this poll takes choices');
  if (choices.some((c) => c >= poll.options.length)) {
    throw new PreauError('bad_request', 'no such option');
  }
  if (new Set(choices).size !== choices.length) {
    throw new PreauError('bad_request', 'an option chosen twice');
  }
  if (poll.kind !== 'multiple' && choices.length !== 1) {
    throw new PreauError('bad_request', 'one choice only');
  }
  return [...choices].sort((a, b) => a - b);
}

/** Everything, for moderators: counts, texts and, for a named poll, who said what. */
function fullResults(live: LivePoll): PollResults {
  return {
    ...publicResults(live),
    ...(live.view.anonymous ? {} : { named: [...live.named] }),
  };
}

/** What the class may see: aggregates only. */
function publicResults(live: LivePoll): PollResults {
  return {
    pollId: live.view.pollId,
    respondents: live.respondents,
    counts: [...live.counts],
    texts: [...live.texts],
  };
}
