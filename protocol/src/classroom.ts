// Wire schemas of live sessions: the socket.io event maps between the
// browser and classroom-server, and the HTTP bodies of /api/live. Types are
// derived from the schemas; both sides import them from here.
import { z } from 'zod';
import { BreakoutClientEvents, BreakoutServerEvents } from './breakouts';
import { ERROR_CODES, type ErrorBody, type Result } from './errors';
import { ClientMessageId, Id, PersonId, SpaceId } from './ids';
import {
  FloorClientEventSchemas,
  FloorView,
  PollClientEventSchemas,
  PollServerEventSchemas,
  PollState,
  WaitingView,
} from './polls';
import {
  PresentationClientEvents,
  PresentationServerEvents,
  PresentationView,
} from './presentation';
import { RecordingClientEvents, RecordingServerEvents, RecordingState } from './recording';
import {
  ConsumerInfo,
  DtlsParameters,
  IceParameters,
  MediaKind,
  MediaSource,
  RtpCapabilities,
  RtpParameters,
  WebRtcTransportInfo,
} from './sfu';
import { classSpaceId, SpaceRole } from './spaces';
import { Right } from './tokens';

/** The socket.io path of live sessions on the one port. */
export const CLASSROOM_SOCKET_PATH = '/live/socket.io';

/** Ceilings applied at the edge, shared so the browser can check before sending. */
export const CLASSROOM_LIMITS = {
  /**
   * socket.io's maxHttpBufferSize: no frame may be larger. It is above every
   * event's own ceiling, so an oversized event up to this size gets a typed
   * `too_large` answer; a frame beyond it cannot be read at all, and the
   * transport closes the connection (WebSocket close 1009, "message too big").
   */
  frameBytes: 64 * 1024,
  /** Default per-event payload ceiling (serialised JSON). */
  eventBytes: 8 * 1024,
  /** Media signalling carries SDP-like parameters, larger than chat. */
  mediaEventBytes: 48 * 1024,
  chatChars: 2000,
  /** Chat messages kept in memory and sent to a joiner. */
  chatHistory: 100,
} as const;

// ---------------------------------------------------------------------------
// Handshake

/** What the browser sends in socket.io's `auth` when it connects. */
export const ClassroomAuth = z.object({
  token: z.string().min(1).max(4096),
  session: Id,
  protocol: z.number().int(),
});
export type ClassroomAuth = z.infer<typeof ClassroomAuth>;

/** The `data` of a refused connection (socket.io `connect_error`): an error body and a close code. */
export const ConnectRefusal = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string().optional(),
  close: z.number().int(),
  /** With `busy`: when to try again. */
  retryAfterSeconds: z.number().int().positive().optional(),
});
export type ConnectRefusal = z.infer<typeof ConnectRefusal>;

// ---------------------------------------------------------------------------
// Views shared by events and snapshots

/** Lifecycle of a live session as clients see it. */
export const SessionPhase = z.enum(['scheduled', 'live', 'ended']);
export type SessionPhase = z.infer<typeof SessionPhase>;

/** A live session's public state and policy. */
export const SessionView = z.object({
  sessionId: Id,
  space: SpaceId,
  title: z.string().max(200),
  phase: SessionPhase,
  locked: z.boolean(),
  studentScreenShare: z.boolean(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** The recording in progress, if any (absent from servers that do not record). */
  recording: RecordingState.nullable().optional(),
});
export type SessionView = z.infer<typeof SessionView>;

/** Presence of a participant: live, or briefly gone and expected back. */
export const Presence = z.enum(['live', 'reconnecting']);
export type Presence = z.infer<typeof Presence>;

/** A participant as the others see them (the id is the person's pseudonymous id). */
export const ParticipantView = z.object({
  participantId: PersonId,
  name: z.string().max(120),
  moderator: z.boolean(),
  presence: Presence,
  joinedAt: z.string(),
});
export type ParticipantView = z.infer<typeof ParticipantView>;

/** One raised hand, in the order hands went up. */
export const HandView = z.object({ participantId: PersonId, raisedAt: z.string() });
export type HandView = z.infer<typeof HandView>;

/** A chat message. */
export const ChatMessage = z.object({
  messageId: Id,
  participantId: PersonId,
  name: z.string().max(120),
  text: z.string().max(CLASSROOM_LIMITS.chatChars),
  sentAt: z.string(),
  /** When its author last corrected it (absent or null: never). */
  editedAt: z.string().nullable().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Why a producer is not forwarded. */
export const PausedBy = z.enum(['self', 'moderator']);
export type PausedBy = z.infer<typeof PausedBy>;

/** A track published in the session. */
export const ProducerView = z.object({
  producerId: Id,
  participantId: PersonId,
  kind: MediaKind,
  source: MediaSource,
  paused: z.boolean(),
  pausedBy: PausedBy.nullable(),
});
export type ProducerView = z.infer<typeof ProducerView>;

/** Everything a participant needs on (re)joining. */
export const SessionSnapshot = z.object({
  session: SessionView,
  me: z.object({
    participantId: PersonId,
    name: z.string(),
    rights: z.array(Right),
    moderator: z.boolean(),
    canShareScreen: z.boolean(),
  }),
  /** True when this join resumed a participant that was reconnecting. */
  resumed: z.boolean(),
  participants: z.array(ParticipantView),
  hands: z.array(HandView),
  chat: z.array(ChatMessage),
  producers: z.array(ProducerView),
  activeSpeaker: PersonId.nullable(),
  routerRtpCapabilities: RtpCapabilities.nullable(),
  /** The session's polls as this participant may see them. */
  polls: z.array(PollState).optional(),
  /** The floor's settings (chat open, waiting room, co-teachers, chat mutes). */
  floor: FloorView.optional(),
  /** Moderators: who is waiting to be admitted. */
  waiting: z.array(WaitingView).optional(),
  /** The PDF being presented, if any, on the page everyone sees. */
  presentation: PresentationView.nullable().optional(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshot>;

/** Why a participant is no longer in the session. */
/** Why someone left; `expired`: their capability token lapsed without being renewed. */
export const LeaveReason = z.enum([
  'left',
  'timeout',
  'removed',
  'replaced',
  'ended',
  'shutdown',
  'expired',
]);
export type LeaveReason = z.infer<typeof LeaveReason>;

/** Teacher controls, as recorded and as told to their target. */
export const ModerationAction = z.enum([
  'mute',
  'mute_all',
  'stop_camera',
  'screen_share_allowed',
  'screen_share_forbidden',
  'remove',
  'lock',
  'unlock',
  'end',
  'lower_hand',
  'delete_message',
  'co_teacher_granted',
  'co_teacher_revoked',
  'chat_muted',
  'chat_unmuted',
  'chat_closed',
  'chat_opened',
  'lower_all_hands',
  'waiting_room_on',
  'waiting_room_off',
  'admitted',
  'denied',
]);
export type ModerationAction = z.infer<typeof ModerationAction>;

// ---------------------------------------------------------------------------
// Client → server: every event is acknowledged with a Result of its response.

const Empty = z.object({}).strict();
const Ok = z.object({});
const Target = z.object({ participantId: PersonId }).strict();
const TransportRef = z.object({ transportId: Id }).strict();
const ProducerRef = z.object({ producerId: Id }).strict();
const ConsumerRef = z.object({ consumerId: Id }).strict();

/**
 * The client → server event map: each event's payload schema and the schema
 * of the `data` its ack carries.
 */
export const ClientEventSchemas = {
  ...RecordingClientEvents,
  'session.join': { request: Empty, response: SessionSnapshot },
  'session.leave': { request: Empty, response: Ok },
  /**
   * Hands the server a fresh capability token before the connection's one
   * lapses (tokens live minutes, classes an hour); a socket whose token
   * lapses unrenewed is put out with `expired`.
   */
  'session.renew': {
    request: z.object({ token: z.string().min(1).max(4096) }).strict(),
    response: z.object({ expiresAt: z.string() }),
  },
  /**
   * `clientId`, given by the page, makes a resend idempotent: the same id
   * again answers with the message already stored (optional for old pages).
   */
  'chat.send': {
    request: z
      .object({
        text: z.string().trim().min(1).max(CLASSROOM_LIMITS.chatChars),
        clientId: ClientMessageId.optional(),
      })
      .strict(),
    response: ChatMessage,
  },
  /** Its author corrects a message; the first text stays in the trace archive. */
  'chat.edit': {
    request: z
      .object({ messageId: Id, text: z.string().trim().min(1).max(CLASSROOM_LIMITS.chatChars) })
      .strict(),
    response: ChatMessage,
  },
  /** A moderator deletes any message, an author their own. */
  'chat.delete': { request: z.object({ messageId: Id }).strict(), response: Ok },
  'hand.raise': { request: Empty, response: Ok },
  /** Lowers one's own hand, or (moderators) someone else's. */
  'hand.lower': {
    request: z.object({ participantId: PersonId.optional() }).strict(),
    response: Ok,
  },
  'moderation.mute': { request: Target, response: Ok },
  'moderation.muteAll': { request: Empty, response: Ok },
  'moderation.stopCamera': { request: Target, response: Ok },
  'moderation.screenShare': { request: z.object({ allowed: z.boolean() }).strict(), response: Ok },
  'moderation.remove': { request: Target, response: Ok },
  'moderation.lock': { request: z.object({ locked: z.boolean() }).strict(), response: Ok },
  'session.end': { request: Empty, response: Ok },
  /** Drops everything this participant holds at the SFU, before creating transports afresh. */
  'media.reset': { request: Empty, response: Ok },
  'media.setCapabilities': {
    request: z.object({ rtpCapabilities: RtpCapabilities }).strict(),
    response: Ok,
  },
  'media.createTransport': {
    request: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
    response: WebRtcTransportInfo,
  },
  'media.connectTransport': {
    request: z.object({ transportId: Id, dtlsParameters: DtlsParameters }).strict(),
    response: Ok,
  },
  'media.restartIce': {
    request: TransportRef,
    response: z.object({ iceParameters: IceParameters }),
  },
  'media.produce': {
    request: z
      .object({
        transportId: Id,
        kind: MediaKind,
        source: MediaSource,
        rtpParameters: RtpParameters,
        paused: z.boolean().optional(),
      })
      .strict(),
    response: z.object({ producerId: Id }),
  },
  'media.pauseProducer': { request: ProducerRef, response: Ok },
  'media.resumeProducer': { request: ProducerRef, response: Ok },
  'media.closeProducer': { request: ProducerRef, response: Ok },
  'media.consume': {
    request: z.object({ transportId: Id, producerId: Id }).strict(),
    response: ConsumerInfo,
  },
  'media.pauseConsumer': { request: ConsumerRef, response: Ok },
  'media.resumeConsumer': { request: ConsumerRef, response: Ok },
  'media.closeConsumer': { request: ConsumerRef, response: Ok },
  /** The highest simulcast layer a viewer wants: 0 for a thumbnail, 2 for the speaker or a pinned tile. */
  'media.setPreferredLayers': {
    request: z
      .object({
        consumerId: Id,
        spatialLayer: z.number().int().min(0).max(2),
        temporalLayer: z.number().int().min(0).max(2).optional(),
      })
      .strict(),
    response: Ok,
  },
  ...PollClientEventSchemas,
  ...FloorClientEventSchemas,
  ...BreakoutClientEvents,
  ...PresentationClientEvents,
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

/** Names of client → server events. */
export type ClientEventName = keyof typeof ClientEventSchemas;
/** Payload a client sends with an event. */
export type ClientRequest<E extends ClientEventName> = z.input<
  (typeof ClientEventSchemas)[E]['request']
>;
/** Data the ack of an event carries on success. */
export type ClientResponse<E extends ClientEventName> = z.infer<
  (typeof ClientEventSchemas)[E]['response']
>;

// ---------------------------------------------------------------------------
// Server → client

/** The server → client event map: each event's payload schema. */
export const ServerEventSchemas = {
  ...RecordingServerEvents,
  'session.updated': SessionView,
  'session.ended': z.object({ endedAt: z.string() }),
  'participant.joined': ParticipantView,
  'participant.updated': ParticipantView,
  'participant.left': z.object({ participantId: PersonId, reason: LeaveReason }),
  'hands.updated': z.object({ hands: z.array(HandView) }),
  'chat.message': ChatMessage,
  'chat.edited': ChatMessage,
  'chat.deleted': z.object({ messageId: Id }),
  'producer.added': ProducerView,
  'producer.updated': ProducerView,
  'producer.closed': z.object({ producerId: Id, participantId: PersonId }),
  /** A consumer the server closed (its producer went away). */
  'consumer.closed': z.object({ consumerId: Id }),
  'speaker.active': z.object({ participantId: PersonId.nullable() }),
  /** The SFU lost this session's media (a worker died): create transports and produce again. */
  'media.reset': z.object({}),
  /** Told to the participant a teacher control acted on. */
  'moderation.applied': z.object({ action: ModerationAction, by: PersonId }),
  /** Sent just before the server disconnects this participant. */
  'session.kicked': z.object({ reason: LeaveReason }),
  ...PollServerEventSchemas,
  ...BreakoutServerEvents,
  ...PresentationServerEvents,
} as const satisfies Record<string, z.ZodType>;

/** Names of server → client events. */
export type ServerEventName = keyof typeof ServerEventSchemas;
/** Payload of a server → client event. */
export type ServerEvent<E extends ServerEventName> = z.infer<(typeof ServerEventSchemas)[E]>;

// ---------------------------------------------------------------------------
// socket.io event maps derived from the schemas

/** Ack callback of a client event. */
export type ClassroomAck<E extends ClientEventName> = (result: Result<ClientResponse<E>>) => void;

/** socket.io's ClientToServerEvents for live sessions. */
export type ClassroomClientToServer = {
  [E in ClientEventName]: (payload: ClientRequest<E>, ack: ClassroomAck<E>) => void;
};

/** socket.io's ServerToClientEvents for live sessions. */
export type ClassroomServerToClient = {
  [E in ServerEventName]: (payload: ServerEvent<E>) => void;
};

/** The error half of an ack, re-exported for clients. */
export type ClassroomError = ErrorBody;

// ---------------------------------------------------------------------------
// HTTP bodies of /api/live

/** The longest title a live session may have (pages show the count as it is typed). */
export const LIVE_TITLE_MAX = 200;

const StartSessionFields = {
  title: z.string().trim().min(1).max(LIVE_TITLE_MAX).optional(),
  replace: Id.optional(),
};

/**
 * Starting a live session (a class's live lesson, a group's or project's
 * salon) in a space. With one already open, the answer is that one, unless
 * `replace` names it: then it ends for everyone first. `classId` is the
 * former key (a class's id), still read as its space `class_<classId>`.
 */
export const StartSessionRequest = z.union([
  z.object({ space: SpaceId, ...StartSessionFields }),
  z
    .object({ classId: Id, ...StartSessionFields })
    .transform(({ classId, ...rest }) => ({ space: classSpaceId(classId), ...rest })),
]);
export type StartSessionRequest = z.infer<typeof StartSessionRequest>;

/** A session as listed for a class or a person. */
export const SessionSummary = z.object({
  sessionId: Id,
  space: SpaceId,
  classId: Id.nullable(),
  title: z.string(),
  phase: SessionPhase,
  createdBy: PersonId,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

/** A token to join one live session, minted by web for the signed-in person. */
export const SessionTicket = z.object({
  token: z.string(),
  session: SessionSummary,
  socketPath: z.string(),
});
export type SessionTicket = z.infer<typeof SessionTicket>;

/** One stay of a person in a session: from when to when (null: still there). */
export const AttendanceRow = z.object({
  participantId: PersonId,
  name: z.string(),
  joinedAt: z.string(),
  leftAt: z.string().nullable(),
  leaveReason: LeaveReason.nullable(),
});
export type AttendanceRow = z.infer<typeof AttendanceRow>;

/** One stay in an attendance line: arrival, departure (null: still there) and why they left. */
export const AttendanceStay = AttendanceRow.pick({
  joinedAt: true,
  leftAt: true,
  leaveReason: true,
});
export type AttendanceStay = z.infer<typeof AttendanceStay>;

/** One member of the class in a session's attendance, present or absent. */
export const AttendanceLine = z.object({
  personId: PersonId,
  name: z.string(),
  /** What tells a homonym apart (their class, or their login's initials). */
  tag: z.string().optional(),
  /** Their role in the space (a class's teacher or student, a group's owner or member…). */
  role: SpaceRole,
  stays: z.array(AttendanceStay),
  /** Time present in milliseconds, every stay added up (an open one counts until now). */
  totalMs: z.number().int().nonnegative(),
  here: z.boolean(),
});
export type AttendanceLine = z.infer<typeof AttendanceLine>;

/** A session's attendance: every member of the class, with the counts. */
export const AttendanceSheet = z.object({
  lines: z.array(AttendanceLine),
  present: z.number().int(),
  absent: z.number().int(),
});
export type AttendanceSheet = z.infer<typeof AttendanceSheet>;

// ---------------------------------------------------------------------------
// Cross-process notices

/** Where web and the sweepers announce a session ended outside its room (fan-out channel). */
export const LIVE_SESSION_ENDED_CHANNEL = 'preau:live-session-ended';

/** A session ended by a teacher starting another, or by nobody being in it (JSON on the channel). */
export const LiveSessionEndedNotice = z.object({
  session: Id,
  endedAt: z.string(),
});
export type LiveSessionEndedNotice = z.infer<typeof LiveSessionEndedNotice>;
