import type { MediaStats } from '@preau/protocol';

interface StreamStat {
  type: string;
  packetCount: number;
  byteCount: number;
  packetsLost: number;
  bitrate: number;
  score: number;
}

/**
 * Sums mediasoup's per-stream stats of one type (`inbound-rtp` for what a
 * producer received, `outbound-rtp` for what a consumer sent); the score is
 * the worst stream's. No stream yet gives zeros.
 */
export function sumStats(stats: readonly StreamStat[], type: 'inbound-rtp' | 'outbound-rtp') {
  const streams = stats.filter((s) => s.type === type);
  const total: MediaStats = { packets: 0, bytes: 0, packetsLost: 0, bitrate: 0, score: 0 };
  for (const s of streams) {
    total.packets += s.packetCount;
    total.bytes += s.byteCount;
    total.packetsLost += s.packetsLost;
    total.bitrate += s.bitrate;
  }
  total.score = streams.length ? Math.min(...streams.map((s) => s.score)) : 0;
  return total;
}
