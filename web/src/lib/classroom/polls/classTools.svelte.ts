import type {
  CreatePollRequest,
  FloorView,
  PollResults,
  PollState,
  PollView,
  SessionSnapshot,
  WaitingView,
} from '@preau/protocol';
import { type LiveConnection, LiveRequestError } from '../connection';

/** Where someone stands at the door of a session with a waiting room. */
export type Door = 'in' | 'waiting' | 'denied';

/**
 * The room's polls and floor (co-teachers, chat mutes, chat closed, waiting
 * room) as the page sees them: reactive state kept in step with the
 * server's events, and the actions of the controls.
 */
export class ClassTools {
  polls = $state<PollState[]>([]);
  floor = $state<FloorView>({ chatOpen: true, waitingRoom: false, coTeachers: [], chatMuted: [] });
  waiting = $state<WaitingView[]>([]);
  door = $state<Door>('in');
  error = $state<string | null>(null);

  readonly #conn: LiveConnection;
  readonly #rejoin: () => void;

  /** `rejoin` sends `session.join` again (after being admitted). */
  constructor(conn: LiveConnection, rejoin: () => void) {
    this.#conn = conn;
    this.#rejoin = rejoin;
    this.#listen();
  }

  /** Takes what a (re)join answered. */
  fromSnapshot(snapshot: SessionSnapshot) {
    this.door = 'in';
    this.polls = snapshot.polls ?? [];
    if (snapshot.floor) this.floor = snapshot.floor;
    this.waiting = snapshot.waiting ?? [];
  }

  /** A join refused: `true` if it was the waiting room (the page shows the waiting screen). */
  joinRefused(err: unknown): boolean {
    if (err instanceof LiveRequestError && err.code === 'waiting_room') {
      this.door = 'waiting';
      return true;
    }
    return false;
  }

  /** Made co-teacher: fetch the live results moderators see. */
  async becameModerator() {
    for (const { poll } of this.polls) {
      const results = await this.#conn.request('poll.results', { pollId: poll.pollId });
      this.#patch(poll.pollId, { results });
    }
  }

  /** No longer co-teacher: keep only what the class sees. */
  lostModerator() {
    this.polls = this.polls.map((p) => ({
      ...p,
      results:
        p.poll.published && p.results
          ? {
              pollId: p.results.pollId,
              respondents: p.results.respondents,
              counts: p.results.counts,
              texts: p.results.texts,
            }
          : null,
    }));
    this.waiting = [];
  }

  /** The open poll, if any. */
  get open(): PollState | undefined {
    return this.polls.find((p) => p.poll.state === 'open');
  }

  createPoll = (request: CreatePollRequest) => this.#act('poll.create', request);
  answer = async (pollId: string, answer: { choices?: number[]; text?: string }) => {
    await this.#act('poll.answer', { pollId, ...answer });
    this.#patch(pollId, { answered: true });
  };
  closePoll = (pollId: string) => this.#act('poll.close', { pollId });
  publish = async (pollId: string) => {
    await this.#act('poll.publish', { pollId });
  };
  setCoTeacher = (participantId: string, granted: boolean) =>
    this.#act('moderation.coTeacher', { participantId, granted });
  muteChat = (participantId: string, muted: boolean) =>
    this.#act('moderation.muteChat', { participantId, muted });
  setChatOpen = (open: boolean) => this.#act('moderation.chatOpen', { open });
  lowerAllHands = () => this.#act('moderation.lowerAllHands', {});
  setWaitingRoom = (enabled: boolean) => this.#act('moderation.waitingRoom', { enabled });
  admit = (participantId?: string) =>
    this.#act('waiting.admit', participantId ? { participantId } : {});
  deny = (participantId: string) => this.#act('waiting.deny', { participantId });

  async #act<E extends Parameters<LiveConnection['request']>[0]>(
    event: E,
    payload: Parameters<LiveConnection['request']>[1] & object,
  ) {
    try {
      const answer = await this.#conn.request(event, payload as never);
      this.error = null;
      return answer;
    } catch (err) {
      this.error = err instanceof LiveRequestError ? err.code : 'internal';
      throw err;
    }
  }

  #upsert(poll: PollView, results?: PollResults | null) {
    const known = this.polls.find((p) => p.poll.pollId === poll.pollId);
    if (!known) {
      this.polls = [...this.polls, { poll, answered: false, results: results ?? null }];
      return;
    }
    this.#patch(poll.pollId, {
      poll,
      ...(results !== undefined ? { results } : {}),
    });
  }

  #patch(pollId: string, change: Partial<PollState>) {
    this.polls = this.polls.map((p) => (p.poll.pollId === pollId ? { ...p, ...change } : p));
  }

  #listen() {
    const c = this.#conn;
    c.on('poll.updated', (poll) => this.#upsert(poll));
    c.on('poll.results', (results) => {
      const known = this.polls.find((p) => p.poll.pollId === results.pollId);
      if (known) this.#patch(results.pollId, { results });
    });
    c.on('poll.published', ({ poll, results }) => {
      const known = this.polls.find((p) => p.poll.pollId === poll.pollId);
      // Moderators keep their full results (who answered what); the class gets the aggregates.
      this.#upsert(poll, known?.results?.named ? known.results : results);
    });
    c.on('floor.updated', (floor) => {
      this.floor = floor;
    });
    c.on('waiting.updated', ({ waiting }) => {
      this.waiting = waiting;
    });
    c.on('waiting.admitted', () => {
      this.door = 'in';
      this.#rejoin();
    });
    c.on('waiting.denied', () => {
      this.door = 'denied';
      // Turned away: no reconnection would put us back in the queue behind the teacher's back.
      this.#conn.close();
    });
  }
}
