import type { SfuNodeLoad } from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import { createSfuClient } from '../rpc/client';
import type { SfuApi } from '../SfuApi';

/** What a cluster hears from one node's connection. */
export interface SfuNodeEvents {
  up(node: SfuNode): void;
  down(node: SfuNode): void;
}

/**
 * One SFU process as the cluster sees it: its RPC client, whether it answers,
 * and its last load report. `pending` counts what the cluster placed on it
 * since that report, so that a burst of new rooms does not all land on the
 * node that looked emptiest a second ago.
 */
export class SfuNode {
  #api: SfuApi | undefined;
  #connecting: Promise<SfuApi> | undefined;
  #up = false;
  #probing: Promise<boolean> | undefined;
  #checking = false;
  load: SfuNodeLoad | undefined;
  loadAt = 0;
  pending = 0;
  /** Bumped on every (re)connection: a room part made before it is gone. */
  epoch = 0;

  constructor(
    readonly url: string,
    private readonly secret: string,
    private readonly log: Logger,
    private readonly events: SfuNodeEvents,
    private readonly listen: (node: SfuNode, api: SfuApi) => void,
  ) {}

  /** Whether the node answered and has not dropped since. */
  get up(): boolean {
    return this.#up;
  }

  /** The node's client; connects (once at a time) if there is none yet. */
  api(): Promise<SfuApi> {
    if (this.#api) return Promise.resolve(this.#api);
    this.#connecting ??= createSfuClient(this.url, this.secret, this.log, {
      onLoad: (load) => {
        this.load = load;
        this.loadAt = Date.now();
        this.pending = 0;
      },
      onUp: () => this.#markUp(),
      onDown: () => this.markDown(),
    })
      .then((api) => {
        this.#api = api;
        this.listen(this, api);
        this.#markUp();
        return api;
      })
      .finally(() => {
        this.#connecting = undefined;
      });
    return this.#connecting;
  }

  /** Tries the node (connecting, or a cheap call on the existing client); true if it answers. */
  probe(): Promise<boolean> {
    this.#probing ??= this.#probe().finally(() => {
      this.#probing = undefined;
    });
    return this.#probing;
  }

  async #probe(): Promise<boolean> {
    try {
      const api = await this.api();
      await api.load();
      this.#markUp();
      return true;
    } catch (err) {
      this.log.debug({ err }, 'sfu node does not answer');
      this.markDown();
      return false;
    }
  }

  /**
   * Reports stopped for `staleMs`: asks the node directly, and takes it for
   * dead only if it does not answer within that time either (a busy machine
   * may delay a report; a hung or unreachable node answers nothing).
   */
  async checkStale(staleMs: number): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const api = await this.api();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), staleMs);
      });
      try {
        await Promise.race([api.load(), late]);
        this.loadAt = Date.now();
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      this.log.debug({ err }, 'sfu node stopped reporting and does not answer');
      this.markDown();
    } finally {
      this.#checking = false;
    }
  }

  /** Placement weight: media and rooms per worker, plus what was placed since the last report. */
  score(): number {
    const l = this.load;
    const units = l ? l.rooms + l.transports + l.producers + l.consumers : 0;
    return (units + this.pending) / Math.max(1, l?.workers ?? 1);
  }

  markDown(): void {
    if (!this.#up) return;
    this.#up = false;
    this.load = undefined;
    this.log.warn('sfu node lost');
    this.events.down(this);
  }

  #markUp(): void {
    if (this.#up) return;
    this.#up = true;
    this.epoch++;
    this.loadAt = Date.now();
    this.log.info('sfu node up');
    this.events.up(this);
  }

  async close(): Promise<void> {
    this.#up = false;
    const api = this.#api ?? (await this.#connecting?.catch(() => undefined));
    await api?.close();
  }
}
