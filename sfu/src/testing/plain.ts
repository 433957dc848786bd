// Plain-transport peers driven through the SfuApi, for tests and benchmarks.
import type { MediaSource } from '@preau/protocol';
import type { SfuApi } from '../SfuApi';
import {
  opusParameters,
  plainReceiverCapabilities,
  RtpReceiver,
  RtpSender,
  vp8Parameters,
} from './rtp';

let nextSsrc = 1000;
/** A fresh SSRC for a synthetic stream. */
export function ssrc(): number {
  nextSsrc += 10;
  return nextSsrc;
}

/** A peer sending one synthetic track: a mic (opus) or a camera (VP8, 1 or 3 layers). */
export async function plainProducer(
  sfu: SfuApi,
  at: { roomId: string; peerId: string },
  media: { source: MediaSource; layers?: 1 | 3; audioLevel?: number; packetsPerSecond?: number },
) {
  const transport = await sfu.createPlainTransport({ ...at, direction: 'send' });
  const sender = await RtpSender.open({ ip: transport.ip, port: transport.port });
  const audio = media.source === 'mic';
  const ssrcs = Array.from({ length: audio ? 1 : (media.layers ?? 1) }, () => ssrc());
  const { producerId } = await sfu.produce({
    ...at,
    transportId: transport.id,
    kind: audio ? 'audio' : 'video',
    source: media.source,
    rtpParameters: audio ? opusParameters(ssrcs[0]!) : vp8Parameters(ssrcs),
  });
  for (const [i, s] of ssrcs.entries()) {
    sender.start({
      kind: audio ? 'audio' : 'video',
      ssrc: s,
      // Simulcast layers grow with their index, like 180p/360p/720p.
      packetsPerSecond: media.packetsPerSecond ?? (audio ? 50 : 30 * (i + 1)),
      payloadBytes: audio ? 160 : 1000,
      audioLevel: media.audioLevel,
    });
  }
  return { producerId, transportId: transport.id, sender };
}

/** A peer receiving one producer on a plain transport; the consumer is resumed unless told. */
export async function plainConsumer(
  sfu: SfuApi,
  at: { roomId: string; peerId: string },
  producerId: string,
  options: { resume?: boolean } = {},
) {
  const transport = await sfu.createPlainTransport({ ...at, direction: 'recv' });
  const receiver = await RtpReceiver.open();
  await sfu.connectPlainTransport({
    ...at,
    transportId: transport.id,
    ip: '127.0.0.1',
    port: receiver.port,
  });
  const rtpCapabilities = plainReceiverCapabilities(
    await sfu.routerRtpCapabilities({ roomId: at.roomId }),
  );
  const consumer = await sfu.consume({
    ...at,
    transportId: transport.id,
    producerId,
    rtpCapabilities,
  });
  if (options.resume ?? true) await sfu.resumeConsumer({ ...at, consumerId: consumer.id });
  return { consumer, transportId: transport.id, receiver };
}
