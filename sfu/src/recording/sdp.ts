// The SDP that tells ffmpeg where each recorded stream arrives and how it
// is encoded: one m-line per consumer, each on its own loopback port.
import type { ConsumerInfo, MediaKind, RtpCapabilities } from '@preau/protocol';

/** One stream the recorder receives: a consumer and the local port its RTP goes to. */
export interface RecordedStream {
  kind: MediaKind;
  port: number;
  consumer: Pick<ConsumerInfo, 'rtpParameters'>;
}

/**
 * An SDP session describing `streams` (audio and video in the given order),
 * all sent to `ip`. RTCP comes on the RTP port (mediasoup's rtcp-mux).
 */
export function recordingSdp(ip: string, streams: readonly RecordedStream[]): string {
  const lines = ['v=0', `o=- 0 0 IN IP4 ${ip}`, 's=Preau recording', `c=IN IP4 ${ip}`, 't=0 0'];
  for (const s of streams) {
    const codec = s.consumer.rtpParameters.codecs[0];
    if (!codec) throw new Error('a recorded consumer has no codec');
    const name = codec.mimeType.split('/')[1] ?? codec.mimeType;
    const rtpmap = `${codec.payloadType} ${name}/${codec.clockRate}${
      codec.channels && codec.channels > 1 ? `/${codec.channels}` : ''
    }`;
    lines.push(
      `m=${s.kind} ${s.port} RTP/AVP ${codec.payloadType}`,
      `a=rtpmap:${rtpmap}`,
      'a=recvonly',
      'a=rtcp-mux',
    );
    if (name.toLowerCase() === 'opus') lines.push(`a=fmtp:${codec.payloadType} sprop-stereo=1`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * What the recorder can receive: the router's codecs with only the feedback
 * ffmpeg can use (keyframe requests), and no header extensions, so that the
 * SFU sends plain RTP with no bandwidth probing.
 */
export function recorderCapabilities(routerCaps: RtpCapabilities): RtpCapabilities {
  return {
    codecs: routerCaps.codecs?.map((c) => ({
      ...c,
      rtcpFeedback: c.rtcpFeedback?.filter((f) => f.type === 'nack' || f.type === 'ccm'),
    })),
    headerExtensions: [],
  };
}
