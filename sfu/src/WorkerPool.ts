import type { Logger } from '@preau/protocol/server';
import { createWorker, type types } from 'mediasoup';
import type { SfuOptions } from './config';
import { closedError } from './errors';

/** One mediasoup worker and its WebRtcServer (one UDP and one TCP port). */
export interface WorkerSlot {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  readonly udpPort: number;
  readonly tcpPort: number;
}

/** How long to wait before recreating a worker that keeps dying at start. */
const RESTART_DELAY_MS = 1000;

/**
 * The SFU's workers, one per core. A worker that dies is reported (its rooms
 * are gone with it) and replaced by a new one in the same slot.
 */
export class WorkerPool {
  readonly #slots: Array<WorkerSlot | undefined>;
  #closed = false;

  private constructor(
    private readonly options: SfuOptions,
    private readonly log: Logger,
    private readonly onDied: (slot: WorkerSlot) => void,
  ) {
    this.#slots = new Array(options.workers).fill(undefined);
  }

  /** Starts every worker; fails (closing those started) if one cannot start. */
  static async start(
    options: SfuOptions,
    log: Logger,
    onDied: (slot: WorkerSlot) => void,
  ): Promise<WorkerPool> {
    const pool = new WorkerPool(options, log, onDied);
    try {
      for (let i = 0; i < options.workers; i++) pool.#slots[i] = await pool.#startSlot(i);
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  /** The live workers (a dead one is missing until its replacement is up). */
  get slots(): WorkerSlot[] {
    return this.#slots.filter((s): s is WorkerSlot => s !== undefined);
  }

  /** Closes every worker (and so every router on them); idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots.splice(0)) slot?.worker.close();
  }

  async #startSlot(index: number): Promise<WorkerSlot> {
    const { options } = this;
    const worker = await createWorker({
      logLevel: options.workerLogLevel,
      rtcMinPort: options.rtcMinPort,
      rtcMaxPort: options.rtcMaxPort,
      appData: { index },
    });
    try {
      const port = options.webRtcPort === 0 ? undefined : options.webRtcPort + index;
      const listen = { ip: options.listenIp, announcedAddress: options.announcedAddress, port };
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { ...listen, protocol: 'udp' },
          { ...listen, protocol: 'tcp' },
        ],
      });
      const dump = await webRtcServer.dump();
      const slot: WorkerSlot = {
        index,
        worker,
        webRtcServer,
        udpPort: dump.udpSockets[0]?.port ?? 0,
        tcpPort: dump.tcpServers[0]?.port ?? 0,
      };
      worker.on('died', (err) => this.#died(slot, err));
      this.log.info(
        { worker: index, pid: worker.pid, udpPort: slot.udpPort, tcpPort: slot.tcpPort },
        'mediasoup worker started',
      );
      return slot;
    } catch (err) {
      worker.close();
      throw err;
    }
  }

  #died(slot: WorkerSlot, err: Error) {
    if (this.#slots[slot.index] !== slot) return;
    this.log.error({ err, worker: slot.index, pid: slot.worker.pid }, 'mediasoup worker died');
    this.#slots[slot.index] = undefined;
    try {
      this.onDied(slot);
    } catch (listenerErr) {
      this.log.error({ err: listenerErr }, 'worker death handler failed');
    }
    void this.#restart(slot.index);
  }

  async #restart(index: number): Promise<void> {
    while (!this.#closed) {
      try {
        const slot = await this.#startSlot(index);
        if (this.#closed) {
          slot.worker.close();
          return;
        }
        this.#slots[index] = slot;
        return;
      } catch (err) {
        this.log.error({ err, worker: index }, 'mediasoup worker restart failed; retrying');
        await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));
      }
    }
  }

  /** The live slot with the lowest load, by the caller's measure. */
  pick(loadOf: (slot: WorkerSlot) => number): WorkerSlot {
    if (this.#closed) throw closedError('sfu');
    let best: WorkerSlot | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const slot of this.slots) {
      const load = loadOf(slot);
      if (load < bestLoad) [best, bestLoad] = [slot, load];
    }
    if (!best) throw closedError('every mediasoup worker');
    return best;
  }
}
