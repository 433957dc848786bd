/// <reference path="../types/oidc-provider.d.ts" />
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * Keeps an OIDC provider's short-lived state (interactions, codes, provider
 * sessions) in memory: enough for a demo or test provider, which has no
 * state worth keeping across restarts (Préau's own sessions live in the
 * database). One store per provider, so two providers never share state.
 */
export function memoryAdapterClass(): new (model: string) => Adapter {
  const store = new Map<string, Entry>();
  const get = (key: string) => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  let writes = 0;
  const set = (key: string, payload: AdapterPayload, expiresIn: number) => {
    store.set(key, { payload, expiresAt: Date.now() + expiresIn * 1000 });
    // Sweep expired entries now and then, so an idle demo never grows.
    if (++writes % 500 === 0)
      for (const [k, e] of store) if (e.expiresAt <= Date.now()) store.delete(k);
  };
  return class MemoryAdapter implements Adapter {
    constructor(readonly model: string) {}
    #key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      set(this.#key(id), payload, expiresIn);
      if (payload.uid) set(`${this.model}:uid:${payload.uid}`, { id }, expiresIn);
      if (payload.userCode) set(`${this.model}:code:${payload.userCode}`, { id }, expiresIn);
      if (payload.grantId) {
        const members = (get(`grant:${payload.grantId}`)?.keys as string[] | undefined) ?? [];
        set(`grant:${payload.grantId}`, { keys: [...members, this.#key(id)] }, expiresIn);
      }
    }
    async find(id: string) {
      return get(this.#key(id));
    }
    async findByUid(uid: string) {
      const ref = get(`${this.model}:uid:${uid}`);
      return ref ? this.find(String(ref.id)) : undefined;
    }
    async findByUserCode(userCode: string) {
      const ref = get(`${this.model}:code:${userCode}`);
      return ref ? this.find(String(ref.id)) : undefined;
    }
    async consume(id: string) {
      const payload = get(this.#key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.#key(id));
    }
    async revokeByGrantId(grantId: string) {
      const keys = (get(`grant:${grantId}`)?.keys as string[] | undefined) ?? [];
      for (const key of keys) store.delete(key);
      store.delete(`grant:${grantId}`);
    }
  };
}
