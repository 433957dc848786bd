import { defineHandler, joined } from './defineHandler';

/** Chat: anyone who may write sends; moderators delete. */
export const chatHandlers = [
  defineHandler({
    event: 'chat.send',
    right: 'write',
    rate: 'chat',
    handle: (ctx, { text }) => joined(ctx).chat.send(ctx.actor, text),
  }),
  defineHandler({
    event: 'chat.delete',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { messageId }) => {
      await joined(ctx).chat.delete(ctx.actor, messageId);
      return {};
    },
  }),
];
