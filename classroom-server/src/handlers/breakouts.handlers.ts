import { defineHandler, joined } from './defineHandler';

/**
 * Breakout rooms: teachers open, assign, extend, message, visit and close
 * (the moderate right, checked again by the session); students read the
 * state, choose a room when allowed, and talk in their room's chat.
 */
export const breakoutHandlers = [
  defineHandler({
    event: 'breakout.state',
    right: 'read',
    rate: 'read',
    handle: (ctx) => joined(ctx).breakouts.state(ctx.actor),
  }),
  defineHandler({
    event: 'breakout.open',
    right: 'moderate',
    rate: 'moderation',
    handle: (ctx, req) => joined(ctx).breakouts.open(ctx.actor, req),
  }),
  defineHandler({
    event: 'breakout.assign',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId, room }) => {
      await joined(ctx).breakouts.assign(ctx.actor, participantId, room);
      return {};
    },
  }),
  defineHandler({
    event: 'breakout.choose',
    right: 'read',
    rate: 'session',
    handle: async (ctx, { room }) => {
      await joined(ctx).breakouts.choose(ctx.actor, room);
      return {};
    },
  }),
  defineHandler({
    event: 'breakout.extend',
    right: 'moderate',
    rate: 'moderation',
    handle: (ctx, { minutes }) => joined(ctx).breakouts.extend(ctx.actor, minutes),
  }),
  defineHandler({
    event: 'breakout.broadcast',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { text }) => {
      await joined(ctx).breakouts.broadcast(ctx.actor, text);
      return {};
    },
  }),
  defineHandler({
    event: 'breakout.visit',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { room }) => {
      await joined(ctx).breakouts.visit(ctx.actor, room);
      return {};
    },
  }),
  defineHandler({
    event: 'breakout.close',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx) => {
      await joined(ctx).breakouts.close(ctx.actor);
      return {};
    },
  }),
  defineHandler({
    event: 'breakout.chat.send',
    right: 'write',
    rate: 'chat',
    handle: (ctx, { text, clientId }) => joined(ctx).breakouts.sendChat(ctx.actor, text, clientId),
  }),
];
