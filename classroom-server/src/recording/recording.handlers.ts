import { defineHandler, joined } from '../handlers/defineHandler';

/** The teacher's recording controls: the moderate right at the edge, the moderator again in the session. */
export const recordingHandlers = [
  defineHandler({
    event: 'recording.start',
    right: 'moderate',
    rate: 'moderation',
    handle: (ctx) => joined(ctx).recording.start(ctx.actor),
  }),
  defineHandler({
    event: 'recording.stop',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx) => {
      await joined(ctx).recording.stop(ctx.actor);
      return {};
    },
  }),
];
