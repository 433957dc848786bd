import { ClientMessageId } from '@preau/protocol';
import { describe, expect, it } from 'vitest';
import { ChatOutbox, newClientId, type OutboxEntry } from './outbox';
import { clearKeptOutboxes, keptOutbox, outboxKey } from './outboxStore';

class Coded extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** A server that stores once per client id and may lose acks or refuse. */
function fakeServer() {
  const stored = new Map<string, { id: string; text: string }>();
  const calls: string[] = [];
  let answer: (clientId: string) => 'ok' | 'lost' | string = () => 'ok';
  return {
    stored,
    calls,
    set: (f: typeof answer) => {
      answer = f;
    },
    deliver: async (clientId: string, text: string) => {
      calls.push(clientId);
      const how = answer(clientId);
      if (how !== 'ok' && how !== 'lost') throw new Coded(how);
      if (!stored.has(clientId)) stored.set(clientId, { id: `m${stored.size}`, text });
      if (how === 'lost') throw new Coded('timeout');
      return stored.get(clientId)!;
    },
  };
}

/** A tab's sessionStorage (the same interface, in memory). */
class MemoryStorage implements Storage {
  readonly #m = new Map<string, string>();
  get length() {
    return this.#m.size;
  }
  key(i: number) {
    return [...this.#m.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.#m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.#m.set(k, String(v));
  }
  removeItem(k: string) {
    this.#m.delete(k);
  }
  clear() {
    this.#m.clear();
  }
}

function setup(server = fakeServer(), keep?: ReturnType<typeof keptOutbox>) {
  let online = true;
  const acked: Array<{ id: string; text: string }> = [];
  let shown: readonly OutboxEntry[] = [];
  let n = 0;
  const outbox = new ChatOutbox({
    deliver: server.deliver,
    onAck: (m) => acked.push(m),
    onChange: (e) => {
      shown = e;
    },
    ready: () => online,
    rateTries: 2,
    rateDelayMs: 1,
    retryMs: 60_000,
    newId: () => `client-${++n}-id`,
    keep,
  });
  return {
    server,
    outbox,
    acked,
    shown: () => shown,
    setOnline: (v: boolean) => {
      online = v;
    },
  };
}

describe('the chat outbox', () => {
  it('makes ids the protocol accepts', () => {
    for (let i = 0; i < 50; i++)
      expect(ClientMessageId.safeParse(newClientId()).success).toBe(true);
  });

  it('keeps unacknowledged messages as sending and resends them with the same ids, in order', async () => {
    const t = setup();
    t.server.set(() => 'lost');
    t.outbox.send('un');
    await t.outbox.resume();
    t.setOnline(false);
    t.outbox.send('deux');
    await t.outbox.resume();
    expect(t.shown().map((e) => [e.text, e.state])).toEqual([
      ['un', 'sending'],
      ['deux', 'sending'],
    ]);
    // Back online: the first is stored already, the server answers with it; both arrive once, in order.
    t.server.set(() => 'ok');
    t.setOnline(true);
    await t.outbox.resume();
    expect(t.acked.map((m) => m.text)).toEqual(['un', 'deux']);
    expect(t.server.stored.size).toBe(2);
    expect(t.server.calls).toEqual(['client-1-id', 'client-1-id', 'client-2-id']);
    expect(t.shown()).toEqual([]);
    t.outbox.close();
  });

  it('shows a refused message as not sent, goes on with the next, and retries it on demand', async () => {
    const t = setup();
    t.server.set((id) => (id === 'client-1-id' ? 'chat_muted' : 'ok'));
    t.outbox.send('refusé');
    t.outbox.send('suivant');
    await t.outbox.resume();
    await expect.poll(() => t.acked.map((m) => m.text)).toEqual(['suivant']);
    expect(t.shown()).toMatchObject([{ text: 'refusé', state: 'failed', error: 'chat_muted' }]);
    t.server.set(() => 'ok');
    t.outbox.retry('client-1-id');
    await expect.poll(() => t.acked.map((m) => m.text)).toEqual(['suivant', 'refusé']);
    expect(t.shown()).toEqual([]);
    t.outbox.close();
  });

  it('tries again when rate limited, then shows it as not sent', async () => {
    const t = setup();
    t.server.set(() => 'rate_limited');
    t.outbox.send('vite');
    await expect.poll(() => t.shown()[0]?.state).toBe('failed');
    expect(t.server.calls).toEqual(['client-1-id', 'client-1-id']);
    expect(t.shown()[0]?.error).toBe('rate_limited');
    t.outbox.close();
  });

  it('keeps waiting messages in the tab: a reload sends them again with the same ids, once', async () => {
    const tab = new MemoryStorage();
    const server = fakeServer();
    const before = setup(server, keptOutbox('p1', 'space:s1', tab));
    before.setOnline(false);
    before.outbox.send('hors ligne');
    await before.outbox.resume();
    before.outbox.close();
    expect(tab.getItem(outboxKey('p1', 'space:s1'))).toContain('hors ligne');
    // The page reloads: a new outbox finds the message, shows it and sends it when connected.
    const after = setup(server, keptOutbox('p1', 'space:s1', tab));
    expect(after.shown().map((e) => [e.clientId, e.text, e.state])).toEqual([
      ['client-1-id', 'hors ligne', 'sending'],
    ]);
    await after.outbox.resume();
    expect(after.acked.map((m) => m.text)).toEqual(['hors ligne']);
    expect(server.calls).toEqual(['client-1-id']);
    expect(tab.getItem(outboxKey('p1', 'space:s1'))).toBeNull();
    // Another conversation, or another person, starts empty.
    expect(keptOutbox('p2', 'space:s1', tab).load()).toEqual([]);
    after.outbox.close();
  });

  it('clears kept messages: all at sign-out, or all but the person signed in now', () => {
    const tab = new MemoryStorage();
    const entry: OutboxEntry = { clientId: 'c1', text: 'x', state: 'failed', error: 'forbidden' };
    keptOutbox('p1', 'space:a', tab).save([entry]);
    keptOutbox('p1', 'live:b', tab).save([entry]);
    keptOutbox('p2', 'space:a', tab).save([entry]);
    tab.setItem('other', 'kept');
    tab.setItem(outboxKey('p3', 'x'), 'not json');
    expect(keptOutbox('p1', 'space:a', tab).load()).toEqual([entry]);
    expect(keptOutbox('p3', 'x', tab).load()).toEqual([]);
    expect(clearKeptOutboxes('p1', tab)).toBe(2);
    expect(keptOutbox('p1', 'live:b', tab).load()).toEqual([entry]);
    expect(keptOutbox('p2', 'space:a', tab).load()).toEqual([]);
    expect(clearKeptOutboxes(undefined, tab)).toBe(2);
    expect(tab.getItem('other')).toBe('kept');
    // Signed out: an outbox of the page that changes afterwards keeps nothing again.
    keptOutbox('p1', 'space:a', tab).save([entry]);
    expect(keptOutbox('p1', 'space:a', tab).load()).toEqual([]);
  });
});
