// Wire schemas of polls and of the finer teacher controls ("the floor") in a
// live session: co-teachers, chat mutes, the chat closed for students, all
// hands lowered, and the waiting room. Their events join the live session's
// event maps in classroom.ts.
import { z } from 'zod';
import { Id, PersonId } from './ids';

/** Ceilings of polls, shared so the browser can check before sending. */
export const POLL_LIMITS = {
  questionChars: 300,
  optionChars: 120,
  minOptions: 2,
  maxOptions: 10,
  textAnswerChars: 280,
  /** Polls a session may hold (open or closed). */
  perSession: 50,
} as const;

/** What is asked: yes or no, one choice, several choices, a short free text. */
export const PollKind = z.enum(['yes_no', 'single', 'multiple', 'text']);
export type PollKind = z.infer<typeof PollKind>;

/** The options of a yes/no poll, in this order. */
export const YES_NO_OPTIONS = ['Oui', 'Non'] as const;

/** A poll as every participant sees it. */
export const PollView = z.object({
  pollId: Id,
  kind: PollKind,
  question: z.string().max(POLL_LIMITS.questionChars),
  /** The choices (empty for a free-text poll). */
  options: z.array(z.string().max(POLL_LIMITS.optionChars)).max(POLL_LIMITS.maxOptions),
  /** Anonymous: answers are stored without who gave them. */
  anonymous: z.boolean(),
  state: z.enum(['open', 'closed']),
  /** Whether the results were shown to the class. */
  published: z.boolean(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
});
export type PollView = z.infer<typeof PollView>;

/** Who answered what, in a named poll (moderators only, never published). */
export const NamedAnswer = z.object({
  participantId: PersonId,
  name: z.string().max(120),
  choices: z.array(z.number().int().min(0)),
  text: z.string().nullable(),
});
export type NamedAnswer = z.infer<typeof NamedAnswer>;

/** A poll's results: counts per option, free texts, and (named polls, moderators) who said what. */
export const PollResults = z.object({
  pollId: Id,
  /** People who answered. */
  respondents: z.number().int().nonnegative(),
  /** One count per option, in the options' order. */
  counts: z.array(z.number().int().nonnegative()),
  /** Free-text answers (text polls), in the order given. */
  texts: z.array(z.string().max(POLL_LIMITS.textAnswerChars)),
  /** Named polls, for moderators: each person's answer. Absent when published or anonymous. */
  named: z.array(NamedAnswer).optional(),
});
export type PollResults = z.infer<typeof PollResults>;

/** A poll in a participant's snapshot: whether they answered, and the results they may see. */
export const PollState = z.object({
  poll: PollView,
  answered: z.boolean(),
  /** Live results for moderators; published results for the others; otherwise null. */
  results: PollResults.nullable(),
});
export type PollState = z.infer<typeof PollState>;

/** The floor's settings, as one participant sees them. */
export const FloorView = z.object({
  /** False: only moderators may write in the chat. */
  chatOpen: z.boolean(),
  /** True: students wait until a moderator admits them. */
  waitingRoom: z.boolean(),
  /** Participants a teacher made co-teachers in this session. */
  coTeachers: z.array(PersonId),
  /** Participants whose chat is muted (moderators see all; others only themselves). */
  chatMuted: z.array(PersonId),
});
export type FloorView = z.infer<typeof FloorView>;

/** Someone waiting to be admitted. */
export const WaitingView = z.object({
  participantId: PersonId,
  name: z.string().max(120),
  since: z.string(),
});
export type WaitingView = z.infer<typeof WaitingView>;

const Ok = z.object({});
const PollRef = z.object({ pollId: Id }).strict();

/** Asking a question: options for single and multiple choice only. */
export const CreatePollRequest = z
  .object({
    kind: PollKind,
    question: z.string().trim().min(1).max(POLL_LIMITS.questionChars),
    options: z
      .array(z.string().trim().min(1).max(POLL_LIMITS.optionChars))
      .max(POLL_LIMITS.maxOptions)
      .optional(),
    anonymous: z.boolean(),
  })
  .strict()
  .refine(
    (r) =>
      r.kind === 'single' || r.kind === 'multiple'
        ? (r.options?.length ?? 0) >= POLL_LIMITS.minOptions
        : (r.options?.length ?? 0) === 0,
    { message: 'choices need two options or more; other kinds take none', path: ['options'] },
  );
export type CreatePollRequest = z.infer<typeof CreatePollRequest>;

/** An answer: the chosen options' indexes, or a text for a free-text poll. */
export const AnswerPollRequest = z
  .object({
    pollId: Id,
    choices: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(POLL_LIMITS.maxOptions - 1),
      )
      .min(1)
      .max(POLL_LIMITS.maxOptions)
      .optional(),
    text: z.string().trim().min(1).max(POLL_LIMITS.textAnswerChars).optional(),
  })
  .strict()
  .refine((r) => (r.choices === undefined) !== (r.text === undefined), {
    message: 'either choices or a text',
  });
export type AnswerPollRequest = z.infer<typeof AnswerPollRequest>;

/** Client → server events of polls (acknowledged like every live event). */
export const PollClientEventSchemas = {
  /** A moderator asks a question; it opens at once for everyone. */
  'poll.create': { request: CreatePollRequest, response: PollView },
  /** A participant answers an open poll, once. */
  'poll.answer': { request: AnswerPollRequest, response: Ok },
  /** A moderator stops a poll: no more answers. */
  'poll.close': { request: PollRef, response: PollView },
  /** A moderator shows a poll's results to the class (as a chart with its table). */
  'poll.publish': { request: PollRef, response: PollResults },
  /** A moderator reads a poll's live results. */
  'poll.results': { request: PollRef, response: PollResults },
} as const;

/** Client → server events of the finer teacher controls. */
export const FloorClientEventSchemas = {
  /** A teacher makes a participant co-teacher (same controls) or takes it back. */
  'moderation.coTeacher': {
    request: z.object({ participantId: PersonId, granted: z.boolean() }).strict(),
    response: Ok,
  },
  /** Mutes or unmutes one participant's chat. */
  'moderation.muteChat': {
    request: z.object({ participantId: PersonId, muted: z.boolean() }).strict(),
    response: Ok,
  },
  /** Opens or closes the chat for students. */
  'moderation.chatOpen': { request: z.object({ open: z.boolean() }).strict(), response: Ok },
  /** Lowers every raised hand. */
  'moderation.lowerAllHands': { request: z.object({}).strict(), response: Ok },
  /** Turns the waiting room on or off (turning it off admits everyone waiting). */
  'moderation.waitingRoom': { request: z.object({ enabled: z.boolean() }).strict(), response: Ok },
  /** Admits one person waiting, or everyone waiting when no one is named. */
  'waiting.admit': {
    request: z.object({ participantId: PersonId.optional() }).strict(),
    response: Ok,
  },
  /** Turns away one person waiting; they are told. */
  'waiting.deny': { request: z.object({ participantId: PersonId }).strict(), response: Ok },
} as const;

/** Server → client events of polls and of the floor. */
export const PollServerEventSchemas = {
  /** A poll opened, closed or was published (its view). */
  'poll.updated': PollView,
  /** Live results, to moderators only, after each answer. */
  'poll.results': PollResults,
  /** Results shown to the class (aggregates only: never who answered what). */
  'poll.published': z.object({ poll: PollView, results: PollResults }),
  /** The floor's settings changed (as seen by the receiver). */
  'floor.updated': FloorView,
  /** The waiting queue, to moderators. */
  'waiting.updated': z.object({ waiting: z.array(WaitingView) }),
  /** To a person waiting: they may now join (send `session.join` again). */
  'waiting.admitted': z.object({}),
  /** To a person waiting: a teacher turned them away. */
  'waiting.denied': z.object({}),
} as const;

/** The actor recorded for an anonymous answer: never a person's id. */
export const ANONYMOUS_ACTOR = 'anonymous';
