import { CLASSROOM_LIMITS, PreauError } from '@preau/protocol';
import type { MediaSignalling } from '../media/MediaSignalling';
import { defineHandler, joined, type SocketContext } from './defineHandler';

const big = CLASSROOM_LIMITS.mediaEventBytes;

function media(ctx: SocketContext): MediaSignalling {
  const m = joined(ctx).media;
  if (!m) throw new PreauError('unavailable', 'no media server');
  return m;
}

/** Media signalling: transports, producers and consumers at the SFU. */
export const mediaHandlers = [
  defineHandler({
    event: 'media.reset',
    right: 'read',
    rate: 'media',
    handle: (ctx) => media(ctx).reset(ctx.actor),
  }),
  defineHandler({
    event: 'media.setCapabilities',
    right: 'read',
    rate: 'media',
    maxBytes: big,
    handle: (ctx, req) => media(ctx).setCapabilities(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.createTransport',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).createTransport(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.connectTransport',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).connectTransport(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.restartIce',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).restartIce(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.produce',
    right: 'present',
    rate: 'media',
    maxBytes: big,
    handle: (ctx, req) => media(ctx).produce(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.pauseProducer',
    right: 'present',
    rate: 'media',
    handle: (ctx, req) => media(ctx).pauseProducer(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.resumeProducer',
    right: 'present',
    rate: 'media',
    handle: (ctx, req) => media(ctx).resumeProducer(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.closeProducer',
    right: 'present',
    rate: 'media',
    handle: (ctx, req) => media(ctx).closeProducer(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.consume',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).consume(ctx.actor, req),
  }),
  defineHandler({
    event: 'media.pauseConsumer',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).consumerCall(ctx.actor, req.consumerId, 'pauseConsumer'),
  }),
  defineHandler({
    event: 'media.resumeConsumer',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).consumerCall(ctx.actor, req.consumerId, 'resumeConsumer'),
  }),
  defineHandler({
    event: 'media.closeConsumer',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).consumerCall(ctx.actor, req.consumerId, 'closeConsumer'),
  }),
  defineHandler({
    event: 'media.setPreferredLayers',
    right: 'read',
    rate: 'media',
    handle: (ctx, req) => media(ctx).setPreferredLayers(ctx.actor, req),
  }),
];
