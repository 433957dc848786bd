import type {
  ChatMessage,
  ConnectRefusal,
  HandView,
  LeaveReason,
  MediaSource,
  ModerationAction,
  ParticipantView,
  ProducerView,
  RtpCapabilities,
  SessionSnapshot,
  SessionView,
} from '@preau/protocol';
import { busyBackoffSeconds } from '@preau/protocol';
import { ChatOutbox, type OutboxEntry } from '../chat/outbox';
import { keptOutbox } from '../chat/outboxStore';
import { BreakoutsController } from './breakouts/BreakoutsController.svelte';
import { type ConnectionState, LiveConnection, LiveRequestError } from './connection';
import { MediaSession } from './media';
import { ClassTools } from './polls/classTools.svelte';
import { PresentationController } from './presentation/PresentationController.svelte';

/** One of our own sources as the page shows it. */
export interface LocalSource {
  track: MediaStreamTrack;
  paused: boolean;
}

/** What the page needs to open a session. */
export interface RoomOptions {
  sessionId: string;
  fetchToken(): Promise<string>;
  /** The signed-in person (their unacknowledged chat messages are kept across a reload). */
  person?: string;
}

/**
 * The live room as the page sees it: reactive state (Svelte runes) kept in
 * step with the server's events, and the actions of the controls. The socket
 * and the media session live here; components only read and call.
 */
export class LiveRoomController {
  session = $state<SessionView | null>(null);
  me = $state<SessionSnapshot['me'] | null>(null);
  participants = $state<ParticipantView[]>([]);
  hands = $state<HandView[]>([]);
  chat = $state<ChatMessage[]>([]);
  /** Our messages not acknowledged yet ("sending…"), or refused (with a retry). */
  outbox = $state<readonly OutboxEntry[]>([]);
  producers = $state<ProducerView[]>([]);
  activeSpeaker = $state<string | null>(null);
  connection = $state<ConnectionState>('connecting');
  /** Why we are out of the session for good, if we are. */
  out = $state<LeaveReason | null>(null);
  refused = $state<ConnectRefusal | null>(null);
  /** The node was busy: seconds until the next attempt (null once in). */
  busyRetry = $state<number | null>(null);
  notice = $state<ModerationAction | null>(null);
  /** Remote tracks by producer id. */
  tracks = $state<Record<string, MediaStreamTrack>>({});
  local = $state<Partial<Record<MediaSource, LocalSource>>>({});
  mediaReady = $state(false);
  lastError = $state<string | null>(null);
  /** Why the recording stopped by itself (error code), until the next start. */
  recordingFailed = $state<string | null>(null);

  /** Polls and the finer teacher controls (co-teachers, chat, waiting room). */
  readonly tools: ClassTools;

  readonly #conn: LiveConnection;
  readonly #media: MediaSession;
  /** Breakout rooms: which room we are in decides whose media we receive. */
  readonly breakouts: BreakoutsController;
  /** The PDF presented to everyone, its page and marks. */
  readonly presentation: PresentationController;
  #routerCaps: RtpCapabilities | null = null;
  #started = false;
  /** Joined on the current socket: only then may chat messages go (and go again). */
  #joined = false;
  readonly #chatOutbox: ChatOutbox<ChatMessage>;
  /** Joins answered `busy` in a row, and the timer of the next one. */
  #busyJoins = 0;
  #busyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: RoomOptions) {
    // What we wrote without an ack is kept in the tab, so a reload sends it again.
    this.#chatOutbox = new ChatOutbox<ChatMessage>({
      deliver: (clientId, text) => this.#conn.request('chat.send', { text, clientId }),
      onAck: (message) => this.#addChat(message),
      onChange: (entries) => {
        this.outbox = entries;
      },
      ready: () => this.#joined && this.#conn.connected,
      keep: opts.person ? keptOutbox(opts.person, `live:${opts.sessionId}`) : undefined,
    });
    this.#conn = new LiveConnection({
      sessionId: opts.sessionId,
      fetchToken: opts.fetchToken,
      onState: (state) => {
        this.connection = state;
        if (state !== 'connected') this.#joined = false;
      },
      onRefused: (refusal) => {
        this.refused = refusal;
        if (refusal.code === 'session_ended') this.out = 'ended';
      },
      onConnected: () => this.#joinOrWait(),
      onBusy: (seconds) => {
        this.busyRetry = seconds;
      },
    });
    this.tools = new ClassTools(this.#conn, () => this.#joinOrWait());
    this.#media = new MediaSession(this.#conn, {
      onTrack: (producerId, track) => {
        if (track) this.tracks[producerId] = track;
        else delete this.tracks[producerId];
      },
      onLocal: (source, track, paused) => {
        if (track) this.local[source] = { track, paused };
        else delete this.local[source];
      },
      onError: (what, err) => console.warn(`live media: ${what}`, err),
      onFailed: () => {
        if (this.#routerCaps) {
          this.#media.rebuild(this.#routerCaps).catch((err: unknown) => this.#fail('media', err));
        }
      },
    });
    this.breakouts = new BreakoutsController(this.#conn, {
      me: () => this.me?.participantId ?? '',
      onMove: () => this.#followRoom(),
      joined: () => this.#joined,
      keep: opts.person ? keptOutbox(opts.person, `breakout:${opts.sessionId}`) : undefined,
    });
    this.presentation = new PresentationController(this.#conn, () => ({
      id: this.me?.participantId ?? '',
      moderator: this.me?.moderator ?? false,
    }));
    this.#listen();
  }

  /** Opens the connection; the join follows every (re)connection. */
  start() {
    this.#conn.open();
  }

  /** Leaves the session and releases the camera and microphone. */
  async leave() {
    if (this.#conn.connected && !this.out) {
      await this.#conn.request('session.leave', {}).catch(() => undefined);
    }
    this.out ??= 'left';
    this.destroy();
  }

  /** Tears everything down (the page goes away). */
  destroy() {
    this.#chatOutbox.close();
    this.breakouts.dispose();
    clearTimeout(this.#busyTimer);
    this.#media.close();
    this.#conn.close();
  }

  get moderator(): boolean {
    return this.me?.moderator ?? false;
  }

  // -- media controls -------------------------------------------------------

  /** Turns the microphone on (with a device) or mutes/unmutes it. */
  async toggleMic(deviceId?: string) {
    const mic = this.local.mic;
    if (mic && deviceId === undefined) return this.#media.setPaused('mic', !mic.paused);
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: deviceId ? { deviceId: { exact: deviceId } } : true,
    });
    await this.#media.publish('mic', stream.getAudioTracks()[0]!);
  }

  /** Turns the camera on (with a device) or off. */
  async toggleCamera(deviceId?: string) {
    if (this.local.camera && deviceId === undefined) return this.#media.unpublish('camera');
    const stream = await navigator.mediaDevices.getUserMedia({
      video: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
        width: { ideal: 1280 },
        height: { ideal: 720 },
        frameRate: { ideal: 24 },
      },
    });
    await this.#media.publish('camera', stream.getVideoTracks()[0]!);
  }

  /** Starts or stops sharing the screen. */
  async toggleScreen() {
    if (this.local.screen) return this.#media.unpublish('screen');
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    await this.#media.publish('screen', stream.getVideoTracks()[0]!);
  }

  /** Tells the media session what a tile shows: visible or not, and how tall (device pixels). */
  view(producerId: string, visible: boolean, spatialLayer: number) {
    const producer = this.producers.find((p) => p.producerId === producerId);
    if (!producer || producer.participantId === this.me?.participantId) return;
    if (!this.breakouts.sees(producer.participantId)) return;
    this.#media.want(producerId, { kind: producer.kind, visible, spatialLayer });
  }

  /** Counters of our transports (diagnostics). */
  stats() {
    return this.#media.stats();
  }

  // -- chat, hands, teacher controls ------------------------------------------

  /**
   * Queues a message: shown as "sending…" until acknowledged, sent again with
   * the same id after a reconnection (stored once), never dropped silently.
   */
  async sendChat(text: string) {
    this.#chatOutbox.send(text);
  }

  retryChat = (clientId: string) => this.#chatOutbox.retry(clientId);
  discardChat = (clientId: string) => this.#chatOutbox.discard(clientId);

  /** Corrects one of our own messages; the server answers with the new version. */
  async editChat(messageId: string, text: string) {
    this.#replaceChat(await this.#conn.request('chat.edit', { messageId, text }));
  }

  deleteChat = (messageId: string) => this.#act('chat.delete', { messageId });
  raiseHand = () => this.#act('hand.raise', {});
  lowerHand = (participantId?: string) =>
    this.#act('hand.lower', participantId ? { participantId } : {});
  mute = (participantId: string) => this.#act('moderation.mute', { participantId });
  muteAll = () => this.#act('moderation.muteAll', {});
  stopCamera = (participantId: string) => this.#act('moderation.stopCamera', { participantId });
  remove = (participantId: string) => this.#act('moderation.remove', { participantId });
  setStudentScreenShare = (allowed: boolean) => this.#act('moderation.screenShare', { allowed });
  setLocked = (locked: boolean) => this.#act('moderation.lock', { locked });

  /** Starts recording the session (moderators). */
  async startRecording() {
    this.recordingFailed = null;
    await this.#act('recording.start', {});
  }

  /** Stops the recording; resolves once the server saved it. */
  stopRecording = () => this.#act('recording.stop', {});

  async end() {
    await this.#act('session.end', {});
    this.out = 'ended';
    this.destroy();
  }

  async #act<E extends Parameters<LiveConnection['request']>[0]>(
    event: E,
    payload: Parameters<LiveConnection['request']>[1] & object,
  ) {
    try {
      await this.#conn.request(event, payload as never);
      this.lastError = null;
    } catch (err) {
      this.lastError = err instanceof LiveRequestError ? err.code : 'internal';
      throw err;
    }
  }

  // -- the server's side --------------------------------------------------------

  /** Joins; a waiting room keeps the page on its waiting screen until a teacher admits us. */
  #joinOrWait() {
    clearTimeout(this.#busyTimer);
    this.#join().catch((err: unknown) => {
      if (err instanceof LiveRequestError && err.code === 'busy') return this.#retryJoin(err);
      if (!this.tools.joinRefused(err)) this.#fail('join', err);
    });
  }

  /** The node is too busy to take our join now: try again after a jittered, growing delay. */
  #retryJoin(err: LiveRequestError) {
    const seconds = busyBackoffSeconds(err.retryAfterSeconds ?? 1, this.#busyJoins++);
    this.busyRetry = seconds;
    this.#busyTimer = setTimeout(() => {
      if (this.#conn.connected && !this.out) this.#joinOrWait();
    }, seconds * 1000);
  }

  async #join() {
    const snapshot = await this.#conn.request('session.join', {});
    this.#busyJoins = 0;
    this.busyRetry = null;
    this.tools.fromSnapshot(snapshot);
    this.presentation.fromSnapshot(snapshot);
    this.session = snapshot.session;
    this.me = snapshot.me;
    this.participants = snapshot.participants;
    this.hands = snapshot.hands;
    this.chat = snapshot.chat;
    // Joined again: what we wrote without an answer goes again, in order, with its ids.
    this.#joined = true;
    void this.#chatOutbox.resume();
    this.producers = snapshot.producers;
    this.activeSpeaker = snapshot.activeSpeaker;
    // The room we are in decides what we may receive: known before any subscription.
    await this.breakouts.load();
    const caps = snapshot.routerRtpCapabilities;
    if (!caps) return;
    if (!this.#started) {
      this.#started = true;
      this.#routerCaps = caps;
      await this.#media.start(caps);
      this.mediaReady = true;
    } else {
      this.#routerCaps = caps;
      const ids = new Set(snapshot.producers.map((p) => p.producerId));
      await this.#media.recover(snapshot.resumed, caps, ids);
      for (const p of snapshot.producers) {
        if (p.participantId === this.me?.participantId && p.pausedBy === 'moderator') {
          this.#media.serverChanged(p.producerId, 'paused');
        }
      }
    }
    // Audio is always received; video follows the tiles on screen.
    for (const p of this.producers) this.#wantAudio(p);
  }

  /** After a move between rooms: drop what is now out of our room, hear who is in it. */
  #followRoom() {
    for (const p of this.producers) {
      if (p.participantId === this.me?.participantId) continue;
      if (!this.breakouts.sees(p.participantId)) this.#media.want(p.producerId, null);
      else this.#wantAudio(p);
    }
  }

  #wantAudio(p: ProducerView) {
    if (
      p.kind === 'audio' &&
      p.participantId !== this.me?.participantId &&
      this.breakouts.sees(p.participantId)
    ) {
      this.#media.want(p.producerId, { kind: 'audio', visible: true, spatialLayer: 0 });
    }
  }

  #listen() {
    const c = this.#conn;
    c.on('session.updated', (s) => {
      this.session = s;
      if (this.me) {
        this.me.canShareScreen =
          this.me.rights.includes('present') && (this.me.moderator || s.studentScreenShare);
      }
    });
    c.on('recording.failed', ({ code }) => {
      this.recordingFailed = code;
    });
    c.on('session.ended', () => {
      this.out = 'ended';
      this.destroy();
    });
    c.on('session.kicked', ({ reason }) => {
      this.out = reason;
      this.#media.close();
    });
    c.on('participant.joined', (p) => {
      this.participants = [
        ...this.participants.filter((x) => x.participantId !== p.participantId),
        p,
      ];
    });
    c.on('participant.updated', (p) => {
      this.participants = this.participants.map((x) =>
        x.participantId === p.participantId ? p : x,
      );
      // Made co-teacher, or no longer: our own controls follow.
      if (
        this.me &&
        p.participantId === this.me.participantId &&
        this.me.moderator !== p.moderator
      ) {
        this.me.moderator = p.moderator;
        if (p.moderator)
          this.tools.becameModerator().catch((err: unknown) => this.#fail('polls', err));
        else this.tools.lostModerator();
      }
    });
    c.on('participant.left', ({ participantId }) => {
      this.participants = this.participants.filter((x) => x.participantId !== participantId);
    });
    c.on('hands.updated', ({ hands }) => {
      this.hands = hands;
    });
    c.on('chat.message', (m) => this.#addChat(m));
    c.on('chat.edited', (m) => this.#replaceChat(m));
    c.on('chat.deleted', ({ messageId }) => {
      this.chat = this.chat.filter((m) => m.messageId !== messageId);
    });
    c.on('producer.added', (p) => {
      this.producers = [...this.producers.filter((x) => x.producerId !== p.producerId), p];
      this.#wantAudio(p);
    });
    c.on('producer.updated', (p) => {
      this.producers = this.producers.map((x) => (x.producerId === p.producerId ? p : x));
      if (p.participantId === this.me?.participantId && p.paused && p.pausedBy === 'moderator') {
        this.#media.serverChanged(p.producerId, 'paused');
      }
    });
    c.on('producer.closed', ({ producerId, participantId }) => {
      this.producers = this.producers.filter((x) => x.producerId !== producerId);
      if (participantId === this.me?.participantId) this.#media.serverChanged(producerId, 'closed');
      else this.#media.want(producerId, null);
    });
    c.on('consumer.closed', ({ consumerId }) => this.#media.consumerClosed(consumerId));
    c.on('speaker.active', ({ participantId }) => {
      this.activeSpeaker = participantId;
    });
    c.on('moderation.applied', ({ action }) => {
      this.notice = action;
    });
    c.on('media.reset', () => {
      // Our own producers are made again by the rebuild (others hear of them, not us).
      this.producers = this.producers.filter((p) => p.participantId !== this.me?.participantId);
      if (this.#routerCaps) {
        this.#media.rebuild(this.#routerCaps).catch((err: unknown) => this.#fail('media', err));
      }
    });
  }

  #addChat(message: ChatMessage) {
    if (this.chat.some((m) => m.messageId === message.messageId)) return;
    this.chat = [...this.chat, message].slice(-200);
  }

  #replaceChat(message: ChatMessage) {
    this.chat = this.chat.map((m) => (m.messageId === message.messageId ? message : m));
  }

  #fail(what: string, err: unknown) {
    console.warn(`live: ${what} failed`, err);
    this.lastError = err instanceof LiveRequestError ? err.code : 'internal';
  }
}
