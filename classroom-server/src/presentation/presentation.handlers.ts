import { defineHandler, joined } from '../handlers/defineHandler';

/**
 * Presenting a PDF: moderators open, hand over and close it; the pages are
 * turned and drawn on by a moderator or the participant given control
 * (the session checks which), so those events need only the read right.
 */
export const presentationHandlers = [
  defineHandler({
    event: 'presentation.open',
    right: 'moderate',
    rate: 'moderation',
    handle: (ctx, request) => joined(ctx).presentation.open(ctx.actor, request),
  }),
  defineHandler({
    event: 'presentation.page',
    right: 'read',
    rate: 'moderation',
    handle: async (ctx, { page }) => {
      await joined(ctx).presentation.page(ctx.actor, page);
      return {};
    },
  }),
  defineHandler({
    event: 'presentation.control',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx, { participantId }) => {
      await joined(ctx).presentation.control(ctx.actor, participantId);
      return {};
    },
  }),
  defineHandler({
    event: 'presentation.mark',
    right: 'read',
    rate: 'moderation',
    handle: (ctx, request) => joined(ctx).presentation.mark(ctx.actor, request),
  }),
  defineHandler({
    event: 'presentation.clear',
    right: 'read',
    rate: 'moderation',
    handle: async (ctx, { page }) => {
      await joined(ctx).presentation.clear(ctx.actor, page);
      return {};
    },
  }),
  defineHandler({
    event: 'presentation.close',
    right: 'moderate',
    rate: 'moderation',
    handle: async (ctx) => {
      await joined(ctx).presentation.close(ctx.actor);
      return {};
    },
  }),
];
