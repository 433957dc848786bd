// Wire schemas of what every space has beyond its documents: its chat (a
// socket.io namespace of the classroom server, on the same path), its shared
// files and the reports members send to the school's staff (HTTP).
import { z } from 'zod';
import { CLASSROOM_LIMITS } from './classroom';
import type { ErrorBody, Result } from './errors';
import { ClientMessageId, Id, PersonId, SpaceId } from './ids';

/** The socket.io namespace of spaces' chats, on CLASSROOM_SOCKET_PATH. */
export const SPACE_CHAT_NAMESPACE = '/space-chat';

/** Ceilings of a space's chat, shared so the browser checks before sending. */
export const SPACE_CHAT_LIMITS = {
  chatChars: CLASSROOM_LIMITS.chatChars,
  /** Messages of one history page. */
  pageSize: 50,
  /** People one message may mention. */
  mentions: 20,
} as const;

/** What the browser sends in socket.io's `auth` to open a space's chat (a token without a session). */
export const SpaceChatAuth = z.object({
  token: z.string().min(1).max(4096),
  protocol: z.number().int(),
});
export type SpaceChatAuth = z.infer<typeof SpaceChatAuth>;

/** A message of a space's chat. */
export const SpaceChatMessage = z.object({
  messageId: Id,
  participantId: PersonId,
  name: z.string().max(120),
  text: z.string().max(SPACE_CHAT_LIMITS.chatChars),
  sentAt: z.string(),
  editedAt: z.string().nullable(),
  /** People the message mentions (person ids). */
  mentions: z.array(PersonId).max(SPACE_CHAT_LIMITS.mentions),
  /** The live session it was written in (null outside one). */
  sessionId: Id.nullable(),
});
export type SpaceChatMessage = z.infer<typeof SpaceChatMessage>;

const Text = z.string().trim().min(1).max(SPACE_CHAT_LIMITS.chatChars);
const Mentions = z.array(PersonId).max(SPACE_CHAT_LIMITS.mentions).default([]);
const Ok = z.object({});

/** The client → server events of a space's chat, with their ack's data. */
export const SpaceChatClientEvents = {
  /** A page of history, newest last; `before` pages back from a message. */
  'chat.history': {
    request: z.object({ before: Id.optional() }).strict(),
    response: z.object({
      messages: z.array(SpaceChatMessage),
      /** Whether older messages remain. */
      more: z.boolean(),
      /** Up to when this person had read the chat (null: never). */
      readAt: z.string().nullable(),
    }),
  },
  /** `clientId` makes a resend idempotent (see the live class's `chat.send`). */
  'chat.send': {
    request: z
      .object({ text: Text, mentions: Mentions, clientId: ClientMessageId.optional() })
      .strict(),
    response: SpaceChatMessage,
  },
  /** Its author corrects a message; the first text stays in the trace archive. */
  'chat.edit': {
    request: z.object({ messageId: Id, text: Text, mentions: Mentions }).strict(),
    response: SpaceChatMessage,
  },
  /** An author deletes their own message, a moderator any. */
  'chat.delete': { request: z.object({ messageId: Id }).strict(), response: Ok },
  /** Moves this person's read marker to a message they saw. */
  'chat.read': { request: z.object({ messageId: Id }).strict(), response: Ok },
  /** A fresh capability token before the connection's one lapses. */
  'chat.renew': {
    request: z.object({ token: z.string().min(1).max(4096) }).strict(),
    response: z.object({ expiresAt: z.string() }),
  },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

/** Names of the client → server events of a space's chat. */
export type SpaceChatEventName = keyof typeof SpaceChatClientEvents;
/** Payload a client sends with an event. */
export type SpaceChatRequest<E extends SpaceChatEventName> = z.input<
  (typeof SpaceChatClientEvents)[E]['request']
>;
/** Data the ack of an event carries on success. */
export type SpaceChatResponse<E extends SpaceChatEventName> = z.infer<
  (typeof SpaceChatClientEvents)[E]['response']
>;

/** Why the server closes a chat connection. */
export const SpaceChatCloseReason = z.enum(['removed', 'expired']);

/** The server → client events of a space's chat. */
export const SpaceChatServerEvents = {
  'chat.message': SpaceChatMessage,
  'chat.edited': SpaceChatMessage,
  'chat.deleted': z.object({ messageId: Id }),
  /** A person was erased: their messages leave every screen (the stored ones are already gone). */
  'chat.authorErased': z.object({ participantId: PersonId }),
  /** Sent just before the server closes this connection. */
  'chat.closed': z.object({ reason: SpaceChatCloseReason }),
} as const satisfies Record<string, z.ZodType>;

/** socket.io's ClientToServerEvents of a space's chat. */
export type SpaceChatClientToServer = {
  [E in SpaceChatEventName]: (
    payload: SpaceChatRequest<E>,
    ack: (result: Result<SpaceChatResponse<E>>) => void,
  ) => void;
};

/** socket.io's ServerToClientEvents of a space's chat. */
export type SpaceChatServerToClient = {
  [E in keyof typeof SpaceChatServerEvents]: (
    payload: z.infer<(typeof SpaceChatServerEvents)[E]>,
  ) => void;
};

/** The error half of an ack. */
export type SpaceChatError = ErrorBody;

/** `GET /api/spaces/{id}/chat/unread` and the home page: unread messages per space. */
export const UnreadCounts = z.record(SpaceId, z.number().int().min(0));
export type UnreadCounts = z.infer<typeof UnreadCounts>;

// ---------------------------------------------------------------------------
// Files

/** Ceilings of a space's files. */
export const SPACE_FILE_LIMITS = {
  /** Largest file one may upload (under the web server's 12 MB body limit). */
  maxBytes: 10 * 1024 * 1024,
  /** Longest file name kept. */
  nameChars: 120,
} as const;

/** `POST /api/spaces/{id}/files?name=…`: the file's name (made safe by the server). */
export const UploadFileQuery = z.object({ name: z.string().trim().min(1).max(255) });
export type UploadFileQuery = z.infer<typeof UploadFileQuery>;

/** Types a file may be shown inline as (sniffed from its bytes, never taken on trust). */
export const INLINE_FILE_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
] as const;

/** A file of a space as its members see it. */
export const SpaceFileView = z.object({
  id: Id,
  spaceId: SpaceId,
  name: z.string(),
  mimeType: z.string(),
  size: z.number().int().min(0),
  sha256: z.string(),
  uploadedBy: PersonId,
  uploadedByName: z.string(),
  uploadedAt: z.string(),
  /** Whether it can be previewed (an image or a PDF). */
  inline: z.boolean(),
  /** Whether this viewer may delete it. */
  canDelete: z.boolean(),
});
export type SpaceFileView = z.infer<typeof SpaceFileView>;

// ---------------------------------------------------------------------------
// Reports

/** What a report points at. */
export const ReportTarget = z.enum(['message', 'doc', 'file']);
export type ReportTarget = z.infer<typeof ReportTarget>;

/** `POST /api/spaces/{id}/reports`: a message, a document or a file, and why. */
export const ReportRequest = z.object({
  targetKind: ReportTarget,
  targetId: Id,
  reason: z.string().trim().min(1).max(1000),
});
export type ReportRequest = z.infer<typeof ReportRequest>;

/** The copy of what was reported, as it stood then. */
export const ReportedContent = z.object({
  /** A message's author, a document's or a file's name. */
  author: z.string().nullable(),
  title: z.string().nullable(),
  text: z.string(),
});
export type ReportedContent = z.infer<typeof ReportedContent>;

/** A report as the school's staff read it. */
export const ReportView = z.object({
  id: Id,
  spaceId: SpaceId,
  spaceName: z.string(),
  reporter: PersonId,
  reporterName: z.string(),
  targetKind: ReportTarget,
  targetId: Id,
  reason: z.string(),
  content: ReportedContent,
  createdAt: z.string(),
  handledAt: z.string().nullable(),
  handledByName: z.string().nullable(),
});
export type ReportView = z.infer<typeof ReportView>;
