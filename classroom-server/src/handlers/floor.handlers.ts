import { defineHandler, joined } from './defineHandler';

/** The finer teacher controls: each needs the moderate right (co-teachers hold it in their session). */
export const floorHandlers = [
  defineHandler({
    event: 'moderation.coTeacher',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId, granted }) => {
      await joined(ctx).floor.setCoTeacher(ctx.actor, participantId, granted);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.muteChat',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId, muted }) => {
      await joined(ctx).floor.muteChat(ctx.actor, participantId, muted);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.chatOpen',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { open }) => {
      await joined(ctx).floor.setChatOpen(ctx.actor, open);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.lowerAllHands',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx) => {
      await joined(ctx).floor.lowerAllHands(ctx.actor);
      return {};
    },
  }),
  defineHandler({
    event: 'moderation.waitingRoom',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { enabled }) => {
      await joined(ctx).floor.setWaitingRoom(ctx.actor, enabled);
      return {};
    },
  }),
  defineHandler({
    event: 'waiting.admit',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId }) => {
      await joined(ctx).floor.admit(ctx.actor, participantId);
      return {};
    },
  }),
  defineHandler({
    event: 'waiting.deny',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId }) => {
      await joined(ctx).floor.deny(ctx.actor, participantId);
      return {};
    },
  }),
];
