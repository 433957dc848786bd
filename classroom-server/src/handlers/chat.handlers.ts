import { defineHandler, joined } from './defineHandler';

/** Chat: anyone who may write sends and corrects or deletes their own; moderators delete any. */
export const chatHandlers = [
  defineHandler({
    event: 'chat.send',
    right: 'write',
    rate: 'chat',
    handle: (ctx, { text, clientId }) => joined(ctx).chat.send(ctx.actor, text, clientId),
  }),
  defineHandler({
    event: 'chat.edit',
    right: 'write',
    rate: 'chat',
    handle: (ctx, { messageId, text }) => joined(ctx).chat.edit(ctx.actor, messageId, text),
  }),
  defineHandler({
    event: 'chat.delete',
    right: 'write',
    rate: 'moderation',
    handle: async (ctx, { messageId }) => {
      await joined(ctx).chat.delete(ctx.actor, messageId);
      return {};
    },
  }),
];
