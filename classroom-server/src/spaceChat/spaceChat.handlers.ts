import type { SpaceChatClientEvents } from '@preau/protocol';
import type { SocketCredentials } from '../credentials';
import type { EventHandler } from '../handlers/defineHandler';
import type { ChatActor, SpaceChat } from './SpaceChat';

/** What a handler of a space's chat sees of its socket. */
export interface SpaceChatContext {
  readonly actor: ChatActor;
  readonly chat: SpaceChat;
  readonly credentials: SocketCredentials;
}

type Events = typeof SpaceChatClientEvents;

/** Declares a handler of a space's chat with its event's schema (validated in `runEventHandler`). */
function defineHandler<E extends keyof Events & string>(
  handler: EventHandler<Events, E, SpaceChatContext>,
): EventHandler<Events, E, SpaceChatContext> {
  return handler;
}

/** A space's chat: members read; those who may write send and correct or delete their own. */
export const spaceChatHandlers = [
  defineHandler({
    event: 'chat.history',
    right: 'read',
    rate: 'session',
    handle: (ctx, { before }) => ctx.chat.history(ctx.actor, before),
  }),
  defineHandler({
    event: 'chat.send',
    right: 'write',
    rate: 'chat',
    handle: (ctx, { text, mentions, clientId }) =>
      ctx.chat.send(ctx.actor, text, mentions, clientId),
  }),
  defineHandler({
    event: 'chat.edit',
    right: 'write',
    rate: 'chat',
    handle: (ctx, { messageId, text, mentions }) =>
      ctx.chat.edit(ctx.actor, messageId, text, mentions),
  }),
  defineHandler({
    event: 'chat.delete',
    right: 'write',
    rate: 'moderation',
    handle: async (ctx, { messageId }) => {
      await ctx.chat.delete(ctx.actor, messageId);
      return {};
    },
  }),
  defineHandler({
    event: 'chat.read',
    right: 'read',
    rate: 'read',
    handle: async (ctx, { messageId }) => {
      await ctx.chat.read(ctx.actor, messageId);
      return {};
    },
  }),
  defineHandler({
    event: 'chat.renew',
    right: 'read',
    rate: 'session',
    handle: async (ctx, { token }) => {
      const renewal = await ctx.credentials.renew(token);
      return { expiresAt: renewal.expiresAt.toISOString() };
    },
  }),
];
