import { Notification } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** A comment line every so often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 25_000;

/**
 * The signed-in person's notifications as Server-Sent Events: each event is
 * one JSON `Notification` (an invitation arrives, an answer comes back); the
 * stream stops listening as soon as the browser goes away.
 */
export const GET: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  const encoder = new TextEncoder();
  let stop: (() => void) | null = null;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const end = () => {
    clearInterval(heartbeat);
    stop?.();
    stop = null;
  };
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch (err) {
          // The stream closed under us: stop listening, once.
          locals.services.log.debug({ err }, 'notification stream closed');
          end();
        }
      };
      stop = await locals.services.notifier.listen(user.id, (n) =>
        send(`event: ${n.type}\ndata: ${JSON.stringify(n)}\n\n`),
      );
      if (request.signal.aborted) return end();
      request.signal.addEventListener('abort', () => {
        end();
        try {
          controller.close();
        } catch (err) {
          locals.services.log.debug({ err }, 'notification stream already closed');
        }
      });
      // The first event names the person: the browser's tabs share one stream per person.
      send(
        `retry: 3000\n: ready\n\nevent: hello\ndata: ${JSON.stringify({ person: user.id })}\n\n`,
      );
      heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
    },
    cancel: end,
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    },
  });
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Ses notifications en Server-Sent Events : un JSON `Notification` par événement, un commentaire toutes les 25 s',
      en: 'One’s notifications as Server-Sent Events: first `hello` ({ person }), then one JSON `Notification` per event, a comment every 25 s',
    },
    tag: 'spaces',
    access: 'signedIn',
    raw: 'text/event-stream',
    response: Notification,
  },
});
