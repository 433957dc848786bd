import type { MediaSource, RtpCapabilities } from '@preau/protocol';
import { Device, type types } from 'mediasoup-client';
import type { LiveConnection } from './connection';

/** What the page learns from the media session. */
export interface MediaHooks {
  /** A remote track is ready (or gone, with null). */
  onTrack(producerId: string, track: MediaStreamTrack | null): void;
  /** One of our own tracks started, stopped, or was paused. */
  onLocal(source: MediaSource, track: MediaStreamTrack | null, paused: boolean): void;
  /** Something failed in the background (logged by the page, shown when useful). */
  onError(what: string, err: unknown): void;
  /** A transport failed for good: the media must be rebuilt. */
  onFailed(): void;
}

/** How long a transport may stay `disconnected` before its ICE is restarted. */
const ICE_RESTART_AFTER_MS = 2_000;

/** What the viewer wants of one remote producer: seen or not, and at which simulcast layer. */
export interface Want {
  kind: 'audio' | 'video';
  visible: boolean;
  spatialLayer: number;
}

/** Three simulcast layers for cameras: 180p, 360p and 720p (the SFU picks one per viewer). */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

interface Subscription {
  consumer: types.Consumer;
  paused: boolean;
  spatialLayer: number;
}

/**
 * The browser side of a participant's media: a mediasoup-client device, one
 * send and one receive transport, our producers (one per source) and the
 * consumers of others' producers we want. Subscriptions follow what the page
 * shows: a hidden tile's consumer is paused at the SFU. After a network drop
 * the transports get an ICE restart or are rebuilt, and everything we were
 * sending and receiving is set up again.
 */
export class MediaSession {
  readonly #conn: LiveConnection;
  readonly #hooks: MediaHooks;
  #device: Device | null = null;
  #routerCaps: RtpCapabilities | null = null;
  #send: Promise<types.Transport> | null = null;
  #recv: Promise<types.Transport> | null = null;
  readonly #producers = new Map<MediaSource, types.Producer>();
  /** Our tracks, kept across rebuilds; `paused` is the user's (or teacher's) mute. */
  readonly #local = new Map<MediaSource, { track: MediaStreamTrack; paused: boolean }>();
  readonly #subs = new Map<string, Subscription>();
  readonly #wants = new Map<string, Want>();
  readonly #queues = new Map<string, Promise<void>>();
  #generation = 0;
  #closed = false;
  /** Subscriptions wait for the device: tiles may ask before the first start() is done. */
  #markStarted: () => void = () => undefined;
  readonly #started = new Promise<void>((resolve) => {
    this.#markStarted = resolve;
  });

  constructor(conn: LiveConnection, hooks: MediaHooks) {
    this.#conn = conn;
    this.#hooks = hooks;
  }

  /** Loads the device for the session's router and tells the server what we can receive. */
  async start(routerCaps: RtpCapabilities) {
    if (!this.#device || JSON.stringify(routerCaps) !== JSON.stringify(this.#routerCaps)) {
      const device = new Device();
      await device.load({ routerRtpCapabilities: routerCaps as types.RtpCapabilities });
      this.#device = device;
      this.#routerCaps = routerCaps;
    }
    await this.#conn.request('media.setCapabilities', {
      rtpCapabilities: this.#device.recvRtpCapabilities as RtpCapabilities,
    });
    this.#markStarted();
  }

  /** Whether a source is being sent. */
  has(source: MediaSource): boolean {
    return this.#local.has(source);
  }

  /** Sends a track for a source; a new track for a source already sent replaces it (device change). */
  async publish(source: MediaSource, track: MediaStreamTrack) {
    const current = this.#producers.get(source);
    const previous = this.#local.get(source);
    this.#local.set(source, { track, paused: false });
    if (current && !current.closed) {
      await current.replaceTrack({ track });
      if (previous && previous.track !== track) previous.track.stop();
      if (current.paused) await this.setPaused(source, false);
      this.#hooks.onLocal(source, track, false);
      return;
    }
    await this.#produce(source, track, false);
    this.#hooks.onLocal(source, track, false);
  }

  async #produce(source: MediaSource, track: MediaStreamTrack, paused: boolean) {
    const transport = await this.#transport('send');
    const producer = await transport.produce({
      track,
      stopTracks: false,
      zeroRtpOnPause: true,
      appData: { source },
      ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS } : {}),
      ...(source === 'screen' ? { encodings: [{ maxBitrate: 1_500_000 }] } : {}),
    });
    this.#producers.set(source, producer);
    producer.on('trackended', () => {
      this.unpublish(source).catch((err: unknown) => this.#hooks.onError('trackended', err));
    });
    if (paused) await this.setPaused(source, true);
  }

  /** Stops sending a source and releases its device. */
  async unpublish(source: MediaSource) {
    const producer = this.#producers.get(source);
    const local = this.#local.get(source);
    this.#producers.delete(source);
    this.#local.delete(source);
    local?.track.stop();
    this.#hooks.onLocal(source, null, false);
    if (producer && !producer.closed) {
      producer.close();
      await this.#conn.request('media.closeProducer', { producerId: producer.id });
    }
  }

  /** Mutes or unmutes one of our sources at the SFU (and stops sending bytes meanwhile). */
  async setPaused(source: MediaSource, paused: boolean) {
    const producer = this.#producers.get(source);
    const local = this.#local.get(source);
    if (!producer || !local) return;
    local.paused = paused;
    if (paused) producer.pause();
    else producer.resume();
    this.#hooks.onLocal(source, local.track, paused);
    await this.#conn.request(paused ? 'media.pauseProducer' : 'media.resumeProducer', {
      producerId: producer.id,
    });
  }

  /** The server paused or closed one of our producers (a teacher control): follow it here. */
  serverChanged(producerId: string, change: 'paused' | 'closed') {
    for (const [source, producer] of this.#producers) {
      if (producer.id !== producerId) continue;
      const local = this.#local.get(source);
      if (change === 'paused') {
        producer.pause();
        if (local) local.paused = true;
        this.#hooks.onLocal(source, local?.track ?? null, true);
      } else {
        producer.close();
        this.#producers.delete(source);
        this.#local.delete(source);
        local?.track.stop();
        this.#hooks.onLocal(source, null, false);
      }
    }
  }

  /** Declares what the page wants of a remote producer (or null: nothing any more). */
  want(producerId: string, want: Want | null) {
    if (want) this.#wants.set(producerId, want);
    else this.#wants.delete(producerId);
    this.#reconcileSoon(producerId);
  }

  /**
   * After the socket came back. When the server no longer has our media
   * (`resumed` false) everything is rebuilt; otherwise each transport gets an
   * ICE restart (the network may have changed under it), and one that cannot
   * take it (its peer connection died with the network) means a rebuild.
   */
  async recover(resumed: boolean, routerCaps: RtpCapabilities, producerIds: Set<string>) {
    if (!resumed) return this.rebuild(routerCaps);
    // What went away while we were gone (a producer closed, our camera stopped by the teacher).
    for (const producerId of this.#wants.keys()) {
      if (!producerIds.has(producerId)) this.want(producerId, null);
    }
    for (const producer of [...this.#producers.values()]) {
      if (!producerIds.has(producer.id)) this.serverChanged(producer.id, 'closed');
    }
    for (const transport of await this.#openTransports()) {
      try {
        if (transport.closed || transport.connectionState === 'failed') throw new Error('failed');
        await this.#restartIce(transport);
      } catch {
        return this.rebuild(routerCaps);
      }
    }
  }

  async #restartIce(transport: types.Transport) {
    const { iceParameters } = await this.#conn.request('media.restartIce', {
      transportId: transport.id,
    });
    await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
  }

  /** Drops every transport and sets up again what we send and receive. */
  async rebuild(routerCaps: RtpCapabilities) {
    this.#generation += 1;
    for (const t of await this.#openTransports()) t.close();
    this.#send = null;
    this.#recv = null;
    this.#producers.clear();
    for (const producerId of this.#subs.keys()) this.#hooks.onTrack(producerId, null);
    this.#subs.clear();
    await this.#conn.request('media.reset', {});
    await this.start(routerCaps);
    for (const [source, { track, paused }] of this.#local) {
      if (track.readyState === 'live') await this.#produce(source, track, paused);
      else this.#local.delete(source);
    }
    for (const producerId of this.#wants.keys()) this.#reconcileSoon(producerId);
  }

  /** Counters of our transports (for the page's diagnostics and tests). */
  async stats(): Promise<RTCStatsReport[]> {
    return Promise.all((await this.#openTransports()).map((t) => t.getStats()));
  }

  /** Stops everything (leaving the page). */
  close() {
    this.#closed = true;
    for (const { track } of this.#local.values()) track.stop();
    this.#local.clear();
    this.#openTransports().then((ts) => {
      for (const t of ts) t.close();
    });
  }

  async #openTransports(): Promise<types.Transport[]> {
    const all = await Promise.allSettled([this.#send, this.#recv].filter((t) => t !== null));
    return all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  #transport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const existing = direction === 'send' ? this.#send : this.#recv;
    if (existing) return existing;
    const created = this.#createTransport(direction);
    if (direction === 'send') this.#send = created;
    else this.#recv = created;
    created.catch(() => {
      if (direction === 'send' && this.#send === created) this.#send = null;
      if (direction === 'recv' && this.#recv === created) this.#recv = null;
    });
    return created;
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const device = this.#device;
    if (!device) throw new Error('media not started');
    const info = await this.#conn.request('media.createTransport', { direction });
    const options = info as unknown as types.TransportOptions;
    const transport =
      direction === 'send'
        ? device.createSendTransport(options)
        : device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.#conn
        .request('media.connectTransport', {
          transportId: transport.id,
          dtlsParameters: dtlsParameters as never,
        })
        .then(() => done(), fail);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') this.#hooks.onFailed();
      if (state === 'disconnected') {
        setTimeout(() => {
          if (transport.closed || transport.connectionState !== 'disconnected') return;
          if (!this.#conn.connected) return;
          this.#restartIce(transport).catch((err: unknown) => this.#hooks.onError('ice', err));
        }, ICE_RESTART_AFTER_MS);
      }
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        this.#conn
          .request('media.produce', {
            transportId: transport.id,
            kind,
            source: (appData as { source: MediaSource }).source,
            rtpParameters: rtpParameters as never,
          })
          .then(({ producerId }) => done({ id: producerId }), fail);
      });
    }
    return transport;
  }

  /** Runs the reconciliation of one producer after the previous one (no overlapping consume calls). */
  #reconcileSoon(producerId: string) {
    const generation = this.#generation;
    const previous = this.#queues.get(producerId) ?? Promise.resolve();
    const next = previous
      .then(() => (generation === this.#generation ? this.#reconcile(producerId) : undefined))
      .catch((err: unknown) => {
        // A call cut short by a rebuild is redone by the rebuild itself.
        if (generation === this.#generation) this.#hooks.onError('subscription', err);
      });
    this.#queues.set(producerId, next);
    next.then(() => {
      if (this.#queues.get(producerId) === next) this.#queues.delete(producerId);
    });
  }

  async #reconcile(producerId: string) {
    await this.#started;
    if (this.#closed) return;
    const want = this.#wants.get(producerId);
    let sub = this.#subs.get(producerId);
    if (!want) {
      if (!sub) return;
      this.#subs.delete(producerId);
      sub.consumer.close();
      this.#hooks.onTrack(producerId, null);
      await this.#conn.request('media.closeConsumer', { consumerId: sub.consumer.id });
      return;
    }
    if (!sub) {
      // Only what is on screen is received.
      if (!want.visible) return;
      const transport = await this.#transport('recv');
      const info = await this.#conn.request('media.consume', {
        transportId: transport.id,
        producerId,
      });
      const consumer = await transport.consume({
        id: info.id,
        producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as types.RtpParameters,
      });
      sub = { consumer, paused: true, spatialLayer: -1 };
      this.#subs.set(producerId, sub);
      this.#hooks.onTrack(producerId, consumer.track);
    }
    const { consumer } = sub;
    if (want.kind === 'video' && sub.spatialLayer !== want.spatialLayer) {
      await this.#conn.request('media.setPreferredLayers', {
        consumerId: consumer.id,
        spatialLayer: want.spatialLayer,
      });
      sub.spatialLayer = want.spatialLayer;
    }
    if (want.visible && sub.paused) {
      await this.#conn.request('media.resumeConsumer', { consumerId: consumer.id });
      consumer.resume();
      sub.paused = false;
    } else if (!want.visible && !sub.paused) {
      consumer.pause();
      await this.#conn.request('media.pauseConsumer', { consumerId: consumer.id });
      sub.paused = true;
    }
  }

  /** The server closed a consumer (its producer went away). */
  consumerClosed(consumerId: string) {
    for (const [producerId, sub] of this.#subs) {
      if (sub.consumer.id !== consumerId) continue;
      this.#subs.delete(producerId);
      sub.consumer.close();
      this.#hooks.onTrack(producerId, null);
    }
  }
}
