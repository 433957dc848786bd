// What a page's WebRTC connections decoded, read from the page (e2e tests of media).
import type { Page } from 'playwright-core';

/** Keeps every RTCPeerConnection a page opens, so the test can read their counters. */
export function trackPeerConnections() {
  const w = window as unknown as { __pcs: RTCPeerConnection[] };
  w.__pcs = [];
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__pcs.push(this);
    }
  } as typeof RTCPeerConnection;
}

/**
 * Frames decoded of the camera a page shows for a participant (0 when none
 * yet), over the page's connections from the `since`-th on (all by default).
 */
export function framesOf(page: Page, participantId: string, since = 0) {
  return page.evaluate(
    async ([id, first]) => {
      const video = document.querySelector<HTMLVideoElement>(
        `figure[data-participant="${id}"][data-source="camera"] video`,
      );
      const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      if (!track) return 0;
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.slice(first)) {
        if (pc.connectionState === 'closed') continue;
        for (const s of (await pc.getStats()).values()) {
          const stat = s as { type: string; trackIdentifier?: string; framesDecoded?: number };
          if (stat.type === 'inbound-rtp' && stat.trackIdentifier === track.id) {
            return stat.framesDecoded ?? 0;
          }
        }
      }
      return 0;
    },
    [participantId, since] as const,
  );
}

/** What a page receives of one participant's camera or microphone. */
export interface Inbound {
  /** Whether the track the page plays is live (not ended). */
  live: boolean;
  packets: number;
  /** Frames decoded (video only; 0 for audio). */
  frames: number;
}

/**
 * The counters of what a page receives of a participant's camera (the
 * video of its tile) or microphone (its audio element), or null when the
 * page plays nothing for it yet.
 */
export function inboundOf(
  page: Page,
  participantId: string,
  what: 'camera' | 'audio',
): Promise<Inbound | null> {
  return page.evaluate(
    async ([id, source]) => {
      const el =
        source === 'audio'
          ? document.querySelector<HTMLMediaElement>(`audio[data-participant="${id}"]`)
          : document.querySelector<HTMLMediaElement>(
              `figure[data-participant="${id}"][data-source="camera"] video`,
            );
      const track = (el?.srcObject as MediaStream | null)?.getTracks()[0];
      if (!track) return null;
      const live = track.readyState === 'live';
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
        if (pc.connectionState === 'closed') continue;
        for (const s of (await pc.getStats()).values()) {
          const stat = s as {
            type: string;
            trackIdentifier?: string;
            packetsReceived?: number;
            framesDecoded?: number;
          };
          if (stat.type === 'inbound-rtp' && stat.trackIdentifier === track.id) {
            return { live, packets: stat.packetsReceived ?? 0, frames: stat.framesDecoded ?? 0 };
          }
        }
      }
      return { live, packets: 0, frames: 0 };
    },
    [participantId, what] as const,
  );
}
