import { defineHandler, joined } from './defineHandler';

/** Teacher controls: each needs the moderate right, checked at the edge and again by the session. */
export const moderationHandlers = [
  defineHandler({
    event: 'moderation.mute',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId }) => {
      await joined(ctx).moderation.mute(ctx.actor, participantId);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.muteAll',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx) => {
      await joined(ctx).moderation.muteAll(ctx.actor);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.stopCamera',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId }) => {
      await joined(ctx).moderation.stopCamera(ctx.actor, participantId);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.screenShare',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { allowed }) => {
      await joined(ctx).moderation.setStudentScreenShare(ctx.actor, allowed);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.remove',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId }) => {
      await joined(ctx).moderation.remove(ctx.actor, participantId);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.lock',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { locked }) => {
      await joined(ctx).moderation.setLocked(ctx.actor, locked);
      return {};
    },
  }),
  defineHandler({
    event: 'session.end',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx) => {
      await joined(ctx).moderation.end(ctx.actor);
      ctx.session = null;
      return {};
    },
  }),
];
