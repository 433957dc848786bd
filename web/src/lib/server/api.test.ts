import type { RequestEvent } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { api, readJson } from './api';

/** A route's event as SvelteKit builds it, with a logger that keeps its lines' levels and messages. */
function eventOf(request: Request) {
  const lines: Array<[string, string]> = [];
  const at = (level: string) => (_fields: object, msg: string) => lines.push([level, msg]);
  const log = { info: at('info'), warn: at('warn'), error: at('error') };
  const event = {
    request,
    url: new URL(request.url),
    locals: { services: { log } },
  } as unknown as RequestEvent;
  return { event, lines };
}

const route = api(async (event: RequestEvent) =>
  readJson(event.request, z.object({ text: z.string() })),
);

/** A JSON body whose stream fails after its first bytes, as when the client's connection drops. */
function cutOff(controller: AbortController) {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"text":"bonj'));
      queueMicrotask(() => {
        controller.abort();
        c.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      });
    },
  });
  return new Request('http://preau.test/api/things', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
    signal: controller.signal,
  } as RequestInit);
}

describe('the API wrapper', () => {
  it('logs a client gone mid-request at info level, not as a server error', async () => {
    const { event, lines } = eventOf(cutOff(new AbortController()));
    const res = await route(event);
    expect(res.status).toBe(500);
    expect(lines).toEqual([['info', 'API client went away']]);
  });

  it('still logs a handler failing by itself as an error', async () => {
    const failing = api(async () => {
      throw new TypeError('a bug');
    });
    const { event, lines } = eventOf(new Request('http://preau.test/api/things'));
    const res = await failing(event);
    expect(res.status).toBe(500);
    expect(lines).toEqual([['error', 'API handler failed']]);
  });

  it('answers a typed error without logging it', async () => {
    const request = new Request('http://preau.test/api/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":1}',
    });
    const { event, lines } = eventOf(request);
    const res = await route(event);
    expect(res.status).toBe(400);
    expect(lines).toEqual([]);
  });
});
