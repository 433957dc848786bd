import { NOTIFY_CHANNEL, Notification } from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import type { Fanout } from '@preau/storage';

type Listener = (notification: Notification) => void;

/**
 * Notifications to people's open pages (an invitation arrives, an answer
 * comes back), across nodes through the fan-out: each node subscribes once
 * and hands each message to the listeners of the person it is for.
 */
export class Notifier {
  readonly #fanout: Fanout;
  readonly #log: Logger;
  readonly #listeners = new Map<string, Set<Listener>>();
  #subscription: Promise<() => Promise<void>> | null = null;

  constructor(fanout: Fanout, log: Logger) {
    this.#fanout = fanout;
    this.#log = log;
  }

  /** Publishes after the act committed; a failure is logged, never thrown at the act. */
  async notify(notifications: readonly Notification[]): Promise<void> {
    for (const n of notifications) {
      try {
        await this.#fanout.publish(NOTIFY_CHANNEL, JSON.stringify(n));
      } catch (err) {
        this.#log.warn({ err, type: n.type }, 'notification not published');
      }
    }
  }

  /** Listens for one person's notifications; returns the function that stops listening. */
  async listen(personId: string, listener: Listener): Promise<() => void> {
    this.#subscription ??= this.#fanout.subscribe(NOTIFY_CHANNEL, (message) =>
      this.#dispatch(message),
    );
    await this.#subscription;
    const set = this.#listeners.get(personId) ?? new Set<Listener>();
    this.#listeners.set(personId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(personId);
    };
  }

  /** Stops the node's subscription. */
  async close(): Promise<void> {
    const unsubscribe = await this.#subscription;
    this.#listeners.clear();
    await unsubscribe?.();
  }

  #dispatch(message: string) {
    let parsed: Notification;
    try {
      parsed = Notification.parse(JSON.parse(message));
    } catch {
      this.#log.warn('unreadable notification');
      return;
    }
    for (const listener of this.#listeners.get(parsed.to) ?? []) {
      try {
        listener(parsed);
      } catch (err) {
        this.#log.warn({ err }, 'notification listener failed');
      }
    }
  }
}
