import { defineHandler, joined } from './defineHandler';

/** Polls: moderators ask, stop, publish and read results; anyone present answers. */
export const pollsHandlers = [
  defineHandler({
    event: 'poll.create',
    right: 'moderate',
    rate: 'moderation',
    handle: (ctx, request) => joined(ctx).polls.create(ctx.actor, request),
  }),
  defineHandler({
    event: 'poll.answer',
    right: 'read',
    rate: 'chat',
    handle: async (ctx, request) => {
      await joined(ctx).polls.answer(ctx.actor, request);
      return {};
    },
  }),
  defineHandler({
    event: 'poll.close',
    right: 'moderate',
    rate: 'moderation',
    handle: (ctx, { pollId }) => joined(ctx).polls.close(ctx.actor, pollId),
  }),
  defineHandler({
    event: 'poll.publish',
    right: 'moderate',
    rate: 'moderation',
    handle: (ctx, { pollId }) => joined(ctx).polls.publish(ctx.actor, pollId),
  }),
  defineHandler({
    event: 'poll.results',
    right: 'moderate',
    rate: 'read',
    handle: (ctx, { pollId }) => joined(ctx).polls.results(ctx.actor, pollId),
  }),
];
