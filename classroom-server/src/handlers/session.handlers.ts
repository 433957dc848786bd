import { defineHandler, joined } from './defineHandler';

/** Joining and leaving. */
export const sessionHandlers = [
  defineHandler({
    event: 'session.join',
    right: 'read',
    rate: 'session',
    handle: async (ctx) => {
      // Beyond the node's capacity: a short wait in line, then `busy`, with when to try again.
      const release = await ctx.admission.enterJoin();
      try {
        const session = await ctx.registry.open(ctx.sessionId);
        const snapshot = await session.join(ctx.actor);
        ctx.session = session;
        return snapshot;
      } finally {
        release();
      }
    },
  }),
  defineHandler({
    event: 'session.renew',
    right: 'read',
    rate: 'session',
    handle: async (ctx, { token }) => {
      const { expiresAt, rightsChanged } = await ctx.credentials.renew(token);
      // Other rights (a teacher became a student's…) take effect by rejoining.
      if (rightsChanged) setImmediate(() => ctx.reconnect());
      return { expiresAt: expiresAt.toISOString() };
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
