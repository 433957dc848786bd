import { defineHandler, joined } from './defineHandler';

/** Joining and leaving. */
export const sessionHandlers = [
  defineHandler({
    event: 'session.join',
    right: 'read',
    rate: 'session',
    handle: async (ctx) => {
      const session = await ctx.registry.open(ctx.sessionId);
      const snapshot = await session.join(ctx.actor);
      ctx.session = session;
      return snapshot;
    },
  }),
  defineHandler({
    event: 'session.leave',
    right: 'read',
    rate: 'session',
    handle: async (ctx) => {
      await joined(ctx).leave(ctx.actor);
      ctx.session = null;
      return {};
    },
  }),
];
