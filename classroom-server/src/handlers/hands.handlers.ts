import { defineHandler, joined } from './defineHandler';

/** Raised hands: everyone may ask to speak. */
export const handsHandlers = [
  defineHandler({
    event: 'hand.raise',
    right: 'read',
    rate: 'hands',
    handle: async (ctx) => {
      await joined(ctx).hands.raise(ctx.actor);
      return {};
    },
  }),
  defineHandler({
    event: 'hand.lower',
    right: 'read',
    rate: 'hands',
    handle: async (ctx, { participantId }) => {
      await joined(ctx).hands.lower(ctx.actor, participantId);
      return {};
    },
  }),
];
