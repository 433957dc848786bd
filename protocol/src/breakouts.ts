// Wire schemas of breakout rooms in a live session: the teacher splits the
// class into small rooms, each with its own media, chat, pad and board, for
// a while; then everyone comes back. Spread into the live-session event maps
// of classroom.ts (this file must not import classroom.ts: it imports this).
import { z } from 'zod';
import { ClientMessageId, Id, PersonId } from './ids';

/** Ceilings of breakouts, shared so the browser can check before sending. */
export const BREAKOUT_LIMITS = {
  minRooms: 2,
  maxRooms: 20,
  minMinutes: 1,
  maxMinutes: 180,
  /** One extension at most this long (several may follow). */
  maxExtendMinutes: 60,
  /** A teacher's message to every room. */
  messageChars: 500,
  chatChars: 2000,
  /** Messages a room keeps in memory and sends to whoever enters it. */
  chatHistory: 100,
  /** The timer turns to a warning this long before the end. */
  warnBeforeMs: 60_000,
} as const;

/**
 * How rooms are filled: `random` deals the students out, `manual` follows the
 * teacher's choices, `choose` lets each student pick, `last` reuses the split
 * of the space's previous breakout.
 */
export const BreakoutMode = z.enum(['random', 'manual', 'choose', 'last']);
export type BreakoutMode = z.infer<typeof BreakoutMode>;

/** A room's pad or board, kept in the class's documents. */
export const BreakoutDocRef = z.object({
  id: Id,
  kind: z.enum(['pad', 'board']),
  title: z.string().max(300),
});
export type BreakoutDocRef = z.infer<typeof BreakoutDocRef>;

/** One room: its number (from 1), who is in it, the teachers visiting, its documents. */
export const BreakoutRoomView = z.object({
  room: z.number().int().min(1),
  members: z.array(PersonId),
  visitors: z.array(PersonId),
  pad: BreakoutDocRef.nullable(),
  board: BreakoutDocRef.nullable(),
});
export type BreakoutRoomView = z.infer<typeof BreakoutRoomView>;

/** Open breakouts as everyone sees them; the timer ends at `endsAt` (ISO time). */
export const BreakoutState = z.object({
  breakoutId: Id,
  mode: BreakoutMode,
  rooms: z.array(BreakoutRoomView),
  openedAt: z.string(),
  endsAt: z.string(),
});
export type BreakoutState = z.infer<typeof BreakoutState>;

/** Who was in which room last time in this space: person ids per room, room 1 first. */
export const BreakoutSplit = z.object({ rooms: z.array(z.array(PersonId)) });
export type BreakoutSplit = z.infer<typeof BreakoutSplit>;

/** A message of a room's chat. */
export const BreakoutChatMessage = z.object({
  messageId: Id,
  room: z.number().int().min(1),
  participantId: PersonId,
  name: z.string().max(120),
  text: z.string().max(BREAKOUT_LIMITS.chatChars),
  sentAt: z.string(),
});
export type BreakoutChatMessage = z.infer<typeof BreakoutChatMessage>;

const RoomNumber = z.number().int().min(1).max(BREAKOUT_LIMITS.maxRooms);

/** What the teacher asks for to open breakouts. */
export const OpenBreakoutsRequest = z
  .object({
    mode: BreakoutMode,
    /** How many rooms (ignored with `last`: the previous split's count). */
    rooms: z.number().int().min(BREAKOUT_LIMITS.minRooms).max(BREAKOUT_LIMITS.maxRooms),
    minutes: z.number().int().min(BREAKOUT_LIMITS.minMinutes).max(BREAKOUT_LIMITS.maxMinutes),
    /** `manual`: a room per student (those left out stay in the main room). */
    assignments: z.record(PersonId, RoomNumber).optional(),
    /** A pad and a board of the class whose content each room's copy starts from. */
    template: z.object({ pad: Id.optional(), board: Id.optional() }).strict().optional(),
  })
  .strict();
export type OpenBreakoutsRequest = z.input<typeof OpenBreakoutsRequest>;

/** How breakouts ended: the teacher called everyone back, the timer ran out, or the session ended. */
export const BreakoutCloseReason = z.enum(['recalled', 'timeout', 'ended']);
export type BreakoutCloseReason = z.infer<typeof BreakoutCloseReason>;

const Empty = z.object({}).strict();
const Ok = z.object({});

/** Client → server events of breakouts (spread into ClientEventSchemas). */
export const BreakoutClientEvents = {
  /** The breakouts as they stand, the chat of one's room, and (teachers) the last split. */
  'breakout.state': {
    request: Empty,
    response: z.object({
      state: BreakoutState.nullable(),
      chat: z.array(BreakoutChatMessage),
      lastSplit: BreakoutSplit.nullable(),
    }),
  },
  'breakout.open': { request: OpenBreakoutsRequest, response: BreakoutState },
  /** A teacher moves a student to a room (null: back to the main room). */
  'breakout.assign': {
    request: z.object({ participantId: PersonId, room: RoomNumber.nullable() }).strict(),
    response: Ok,
  },
  /** A student picks their room, when the teacher lets them choose. */
  'breakout.choose': { request: z.object({ room: RoomNumber }).strict(), response: Ok },
  'breakout.extend': {
    request: z
      .object({ minutes: z.number().int().min(1).max(BREAKOUT_LIMITS.maxExtendMinutes) })
      .strict(),
    response: z.object({ endsAt: z.string() }),
  },
  /** A teacher's message shown in every room. */
  'breakout.broadcast': {
    request: z
      .object({ text: z.string().trim().min(1).max(BREAKOUT_LIMITS.messageChars) })
      .strict(),
    response: Ok,
  },
  /** A teacher goes into a room (its media and chat), or back to the main room with null. */
  'breakout.visit': { request: z.object({ room: RoomNumber.nullable() }).strict(), response: Ok },
  /** Calls everyone back to the main room. */
  'breakout.close': { request: Empty, response: Ok },
  /** `clientId` makes a resend idempotent while the room's chat remembers it. */
  'breakout.chat.send': {
    request: z
      .object({
        text: z.string().trim().min(1).max(BREAKOUT_LIMITS.chatChars),
        clientId: ClientMessageId.optional(),
      })
      .strict(),
    response: BreakoutChatMessage,
  },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

/** Server → client events of breakouts (spread into ServerEventSchemas). */
export const BreakoutServerEvents = {
  /** Breakouts opened, changed, or closed (null, with why). */
  'breakout.updated': z.object({
    state: BreakoutState.nullable(),
    closed: BreakoutCloseReason.optional(),
  }),
  /** A teacher's message to every room. */
  'breakout.message': z.object({
    text: z.string().max(BREAKOUT_LIMITS.messageChars),
    by: PersonId,
    name: z.string().max(120),
    sentAt: z.string(),
  }),
  /** A message of the room one is in. */
  'breakout.chat': BreakoutChatMessage,
} as const satisfies Record<string, z.ZodType>;

/** Which room a person is in (0: the main room) under a breakout state. */
export function breakoutRoomOf(state: BreakoutState | null, participantId: string): number {
  if (!state) return 0;
  for (const r of state.rooms) if (r.visitors.includes(participantId)) return r.room;
  for (const r of state.rooms) if (r.members.includes(participantId)) return r.room;
  return 0;
}

/** The title of a room's pad or board: room, session and date, so the work is found afterwards. */
export function breakoutDocTitle(
  room: number,
  kind: 'pad' | 'board',
  sessionTitle: string,
  date: Date,
): string {
  const day = new Intl.DateTimeFormat('fr-FR', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'Europe/Paris',
  }).format(date);
  const what = kind === 'pad' ? 'Bloc-notes' : 'Tableau';
  const head = `Salle ${room} — ${what} — `;
  const tail = ` — ${day}`;
  // Document titles hold 120 characters: the session's title gives way, never the room or the date.
  const room_ = sessionTitle.trim().slice(0, Math.max(0, 120 - head.length - tail.length));
  return `${head}${room_}${tail}`;
}
