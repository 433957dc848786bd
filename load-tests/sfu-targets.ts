// The two SFUs the capacity benchmark compares: Préau's (through its SfuApi,
// in process or over the RPC) and a bare mediasoup script doing the same.
import { readFileSync } from 'node:fs';
import { silentLogger } from '@preau/protocol/server';
import { createSfu, createSfuClient, MEDIA_CODECS, type SfuApi } from '@preau/sfu';
import {
  plainReceiverCapabilities,
  type RtpReceiver,
  RtpSender,
  type SfuProcess,
  ssrc,
  startSfuProcess,
  vp8Parameters,
} from '@preau/sfu/testing';
import { createWorker, type types } from 'mediasoup';

/** One synthetic camera: 30 frames of 2 packets per second, ≈ 550 kbit/s, one layer. */
export const CAMERA = { packetsPerSecond: 60, payloadBytes: 1100 } as const;

/** A viewer: one receive transport consuming every producer. */
export interface Viewer {
  /** performance.now() when its first consume call started. */
  consumeStartedAt: number;
}

/** What the benchmark needs of an SFU under test. */
export interface Target {
  readonly name: string;
  /** The mediasoup worker process forwarding the media. */
  workerPid(): Promise<number>;
  addCamera(): Promise<{ producerId: string; sender: RtpSender }>;
  /** A viewer consuming `producerIds` on one transport that sends to `receiver`. */
  addViewer(producerIds: string[], receiver: RtpReceiver): Promise<Viewer>;
  /** The SFU's own counters: packets its producers received, and packets the first SAMPLE_VIEWERS viewers' consumers sent. */
  counters(): Promise<SfuCounters>;
  close(): Promise<void>;
}

/** How many viewers' consumers are read back from the SFU at each step. */
export const SAMPLE_VIEWERS = 4;

/** Packet counts as the SFU itself sees them. */
export interface SfuCounters {
  ingress: number;
  egressSample: number;
}

const ROOM = 'bench';
const LOOPBACK = '127.0.0.1';

/** Préau's SFU, one worker, driven through the SfuApi (in process, or as its own process). */
export async function preauTarget(mode: 'in-process' | 'rpc'): Promise<Target> {
  let child: SfuProcess | undefined;
  let sfu: SfuApi;
  if (mode === 'rpc') {
    child = await startSfuProcess({ SFU_WORKERS: '1', LOG_LEVEL: 'warn' });
    sfu = await createSfuClient(child.url, child.secret, silentLogger());
  } else {
    sfu = await createSfu({ workers: 1, log: silentLogger() });
  }
  await sfu.createRoom({ roomId: ROOM });
  const sockets: RtpSender[] = [];
  const cameras: string[] = [];
  const sample: Array<{ peerId: string; consumerId: string }> = [];
  let viewers = 0;
  let peers = 0;
  return {
    name: `préau sfu (${mode})`,
    async workerPid() {
      return (await sfu.load()).workers[0]!.pid;
    },
    async addCamera() {
      const at = { roomId: ROOM, peerId: `cam${peers++}` };
      const t = await sfu.createPlainTransport({ ...at, direction: 'send' });
      const sender = await RtpSender.open({ ip: t.ip, port: t.port });
      sockets.push(sender);
      const s = ssrc();
      const { producerId } = await sfu.produce({
        ...at,
        transportId: t.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: vp8Parameters([s]),
      });
      sender.start({ kind: 'video', ssrc: s, ...CAMERA });
      cameras.push(producerId);
      return { producerId, sender };
    },
    async counters() {
      const ingress = async () => {
        let n = 0;
        for (const producerId of cameras) {
          n += (await sfu.producerStats({ roomId: ROOM, producerId })).packets;
        }
        return n;
      };
      const first = await ingress();
      let egressSample = 0;
      for (const c of sample) {
        egressSample += (await sfu.consumerStats({ roomId: ROOM, ...c })).packets;
      }
      // Ingress is read before and after egress, so both describe about the same moment.
      return { ingress: (first + (await ingress())) / 2, egressSample };
    },
    async addViewer(producerIds, receiver) {
      const at = { roomId: ROOM, peerId: `viewer${peers++}` };
      const sampled = viewers++ < SAMPLE_VIEWERS;
      const t = await sfu.createPlainTransport({ ...at, direction: 'recv' });
      await sfu.connectPlainTransport({
        ...at,
        transportId: t.id,
        ip: LOOPBACK,
        port: receiver.port,
      });
      const rtpCapabilities = plainReceiverCapabilities(
        await sfu.routerRtpCapabilities({ roomId: ROOM }),
      );
      const consumeStartedAt = performance.now();
      for (const producerId of producerIds) {
        const c = await sfu.consume({ ...at, transportId: t.id, producerId, rtpCapabilities });
        await sfu.resumeConsumer({ ...at, consumerId: c.id });
        if (sampled) sample.push({ peerId: at.peerId, consumerId: c.id });
      }
      return { consumeStartedAt };
    },
    async close() {
      for (const s of sockets) s.close();
      await sfu.close();
      await child?.stop();
    },
  };
}

/** The same work written straight on mediasoup, as its documentation shows it. */
export async function bareMediasoupTarget(): Promise<Target> {
  const worker = await createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const listenInfo: types.TransportListenInfo = { protocol: 'udp', ip: LOOPBACK };
  const sockets: RtpSender[] = [];
  const producers: types.Producer[] = [];
  const sample: types.Consumer[] = [];
  let viewers = 0;
  const packets = (stats: Array<{ type: string; packetCount: number }>, type: string) =>
    stats.filter((s) => s.type === type).reduce((n, s) => n + s.packetCount, 0);
  return {
    name: 'bare mediasoup',
    async counters() {
      const ingress = async () => {
        let n = 0;
        for (const p of producers) n += packets(await p.getStats(), 'inbound-rtp');
        return n;
      };
      const first = await ingress();
      let egressSample = 0;
      for (const c of sample) egressSample += packets(await c.getStats(), 'outbound-rtp');
      return { ingress: (first + (await ingress())) / 2, egressSample };
    },
    async workerPid() {
      return worker.pid;
    },
    async addCamera() {
      const t = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
      const sender = await RtpSender.open({ ip: LOOPBACK, port: t.tuple.localPort });
      sockets.push(sender);
      const s = ssrc();
      const producer = await t.produce({
        kind: 'video',
        rtpParameters: vp8Parameters([s]) as types.RtpParameters,
      });
      sender.start({ kind: 'video', ssrc: s, ...CAMERA });
      producers.push(producer);
      return { producerId: producer.id, sender };
    },
    async addViewer(producerIds, receiver) {
      const t = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
      const sampled = viewers++ < SAMPLE_VIEWERS;
      await t.connect({ ip: LOOPBACK, port: receiver.port });
      const consumeStartedAt = performance.now();
      for (const producerId of producerIds) {
        const c = await t.consume({
          producerId,
          rtpCapabilities: plainReceiverCapabilities(
            router.rtpCapabilities,
          ) as types.RtpCapabilities,
          paused: true,
        });
        await c.resume();
        if (sampled) sample.push(c);
      }
      return { consumeStartedAt };
    },
    async close() {
      for (const s of sockets) s.close();
      worker.close();
    },
  };
}

/** CPU seconds a process has used so far (user + system), from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
