import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  groupOwnerChat,
  type Harness,
  person,
  request,
  spaceChatRequest,
  startHarness,
} from '@preau/classroom-server/testing';
import {
  type ClientEventName,
  ClientEventSchemas,
  SpaceChatClientEvents,
  type SpaceChatEventName,
} from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { isTypedRefusal, malformedFor, malformedJsonBody } from '@preau/protocol/testing';
import { openDatabase } from '@preau/storage';
import fc from 'fast-check';
import { apiRoutes, databaseDigest, fillRoute } from '../tests/support/apiRoutes';
import { freePort } from '../tests/support/ports';
import { startPostgres } from '../tests/support/postgres';
import { signInApi } from '../tests/support/signin';

/**
 * The fuzz benchmark (a script, not a test): N malformed payloads to every
 * JSON endpoint of a running Préau and to every socket event of a live
 * session, counting crashes, 5xx answers, untyped refusals and state changes
 * (all four must be 0).
 *
 *   npx tsx load-tests/fuzz-bench.ts [--per-endpoint 100000] [--concurrency 32]
 *                                    [--only http|live|space-chat] [--endpoint TEXT]
 *
 * The HTTP part runs Préau (the built app) in a child process on a
 * PostgreSQL server started beside it, so that a crash is seen as the child
 * dying and the database is read between endpoints; the socket part runs a
 * classroom server in this process with its rate limits opened wide (so that
 * every payload reaches the schema, not the limiter), first on the live
 * session's namespace, then on a work group's persistent chat.
 */
async function main() {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const perEndpoint = arg('--per-endpoint', 100_000);
  const concurrency = arg('--concurrency', 32);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const parts = ['http', 'live', 'space-chat'];
  if (only !== undefined && !parts.includes(only))
    throw new Error(`--only takes one of ${parts.join(', ')}`);
  const runs = (part: string) => only === undefined || only === part;
  // Only the HTTP endpoints whose "METHOD /path" contains this text (to run one again).
  const endpointAt = args.indexOf('--endpoint');
  const endpoint = endpointAt >= 0 ? args[endpointAt + 1] : undefined;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`fuzz benchmark: ${perEndpoint} malformed payloads per endpoint, ${concurrency} at a time`);
  let failures = 0;
  if (runs('http')) failures += await http(perEndpoint, concurrency, print, endpoint);
  if (runs('live')) failures += await sockets(perEndpoint, concurrency, print);
  if (runs('space-chat')) failures += await spaceChat(perEndpoint, concurrency, print);
  print(
    failures === 0
      ? 'no crash, no 5xx, no untyped refusal, no state change'
      : `${failures} FAILURES`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

/** A socket event must be answered within this (a typed refusal is immediate; the machine may be busy). */
const ANSWER_WITHIN_MS = 30_000;
const NO_ANSWER = Symbol('no answer');

/** Runs `count` jobs, `concurrency` at a time. */
async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function http(
  perEndpoint: number,
  concurrency: number,
  print: (l: string) => void,
  only?: string,
) {
  const pg = await startPostgres();
  const dataDir = mkdtempSync(join(tmpdir(), 'preau-fuzz-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'web/server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: pg.url,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Ready once it greets (after the sign-in provider started, not merely listening).
  const ready = new Promise<void>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('Préau est prêt')) resolve();
    });
  });
  let crashed = false;
  child.once('exit', () => {
    crashed = true;
  });
  const url = `http://127.0.0.1:${port}`;
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  const digest = () => databaseDigest(database!.db);
  let failures = 0;
  try {
    const gone = new Promise<never>((_, reject) =>
      child.once('exit', () => reject(new Error('Préau exited before it was ready'))),
    );
    await Promise.race([ready, gone]);
    const who = await signInApi(url, 'prof.martin');
    // Signed in for real: otherwise every answer would be a 401 and count as a refusal.
    const me = await who.fetch('/api/session');
    if (me.status !== 200) throw new Error(`the teacher's session is refused (${me.status})`);
    await me.body?.cancel();
    // Opened once Préau has migrated and seeded its database.
    database = await openDatabase({ url: pg.url }, silentLogger());
    const params = { classId: '0350042K_3eA', space: 'class_0350042K_3eA', seq: '1' };
    print('\nHTTP (as a teacher; the property test covers every profile):');
    print(
      'endpoint                                          sent     4xx   5xx  untyped  no answer  state   per s',
    );
    const sample = (arb: fc.Arbitrary<string>, n: number) => fc.sample(arb, { numRuns: n });
    for (const route of apiRoutes()) {
      for (const method of route.methods.filter((m) => m !== 'GET')) {
        if (only !== undefined && !`${method} ${route.path}`.includes(only)) continue;
        const before = await digest();
        const bodies = sample(malformedJsonBody(), Math.min(perEndpoint, 2_000));
        let c4 = 0;
        let c5 = 0;
        let untyped = 0;
        let unanswered = 0;
        const t = performance.now();
        await pool(perEndpoint, concurrency, async (i) => {
          if (crashed) return;
          const res = await fetch(new URL(fillRoute(route.path, params), url), {
            method,
            headers: who.headers(),
            body: bodies[i % bodies.length],
          }).catch(() => null);
          if (!res) {
            // No answer at all (connection reset, or none within undici's timeouts).
            unanswered++;
            return;
          }
          const answer = await res.json().catch(() => null);
          if (res.status >= 500) c5++;
          else if (res.status >= 400) c4++;
          if (!isTypedRefusal(answer)) untyped++;
        });
        const seconds = (performance.now() - t) / 1000;
        const changed = JSON.stringify(await digest()) !== JSON.stringify(before);
        failures += c5 + untyped + unanswered + (changed ? 1 : 0) + (crashed ? 1 : 0);
        print(
          `${`${method} ${route.path}`.padEnd(48)} ${String(perEndpoint).padStart(7)} ${String(c4).padStart(7)} ${String(c5).padStart(5)} ${String(untyped).padStart(8)} ${String(unanswered).padStart(10)} ${changed ? 'CHANGED' : 'same   '} ${Math.round(
            perEndpoint / seconds,
          )
            .toString()
            .padStart(6)}`,
        );
        if (crashed) break;
      }
      if (crashed) break;
    }
    print(`crashes: ${crashed ? 1 : 0}`);
  } finally {
    child.kill('SIGKILL');
    await database?.close();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return failures;
}

/**
 * Sends `perEndpoint` malformed payloads to each event on one socket and
 * prints a line per event; `state` reads what a payload must not change.
 */
async function fuzzEvents(
  events: Array<{ name: string; request: Parameters<typeof malformedFor>[0] }>,
  send: (event: string, payload: unknown) => Promise<unknown>,
  state: () => Promise<string>,
  perEndpoint: number,
  concurrency: number,
  print: (l: string) => void,
) {
  let failures = 0;
  print('event                          sent  untyped  internal  no answer  state   per s');
  for (const event of events) {
    const before = await state();
    const payloads = fc.sample(malformedFor(event.request), {
      numRuns: Math.min(perEndpoint, 2_000),
    });
    let untyped = 0;
    let internal = 0;
    let unanswered = 0;
    const t = performance.now();
    await pool(perEndpoint, concurrency, async (i) => {
      const payload = payloads[i % payloads.length];
      let timer: NodeJS.Timeout | undefined;
      const answer = await Promise.race([
        send(event.name, payload),
        new Promise((resolve) => {
          timer = setTimeout(resolve, ANSWER_WITHIN_MS, NO_ANSWER);
        }),
      ]);
      clearTimeout(timer);
      if (answer === NO_ANSWER) {
        if (unanswered++ === 0)
          print(
            `  no answer within ${ANSWER_WITHIN_MS} ms to ${JSON.stringify(payload)?.slice(0, 300)}`,
          );
        return;
      }
      if (!isTypedRefusal(answer)) {
        untyped++;
        if ((answer as { error?: { code?: string } }).error?.code === 'internal') internal++;
      }
    });
    const seconds = (performance.now() - t) / 1000;
    const changed = (await state()) !== before;
    failures += untyped + unanswered + (changed ? 1 : 0);
    print(
      `${event.name.padEnd(26)} ${String(perEndpoint).padStart(8)} ${String(untyped).padStart(8)} ${String(internal).padStart(9)} ${String(unanswered).padStart(10)} ${changed ? 'CHANGED' : 'same   '} ${Math.round(
        perEndpoint / seconds,
      )
        .toString()
        .padStart(6)}`,
    );
  }
  return failures;
}

/** What a malformed payload must not change: stored chat, read markers and every space's trace counter. */
async function socketState(h: Harness) {
  const db = h.database.db;
  const [traces, chat, reads] = await Promise.all([
    db.selectFrom('trace_space').select(['space_id', 'last_seq']).orderBy('space_id').execute(),
    db
      .selectFrom('live_chat_message')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('edited_at').as('edited')])
      .execute(),
    db
      .selectFrom('space_chat_read')
      .select((eb) => eb.fn.countAll().as('n'))
      .execute(),
  ]);
  return JSON.stringify({ traces, chat, reads });
}

/** Opened wide, so that every payload reaches the schema, not the limiter. */
const WIDE = { capacity: 1e9, perSecond: 1e9 };

/**
 * Runs `fuzz` against a classroom server in this process with every rate
 * opened wide; a crash is an uncaught exception meanwhile.
 */
async function withClassroom(print: (l: string) => void, fuzz: (h: Harness) => Promise<number>) {
  let crashes = 0;
  const onCrash = () => {
    crashes++;
  };
  process.on('uncaughtException', onCrash);
  const rates = ['session', 'chat', 'hands', 'moderation', 'media', 'read', 'unknown'];
  const h = await startHarness({ rateRules: Object.fromEntries(rates.map((r) => [r, WIDE])) });
  try {
    const failures = await fuzz(h);
    print(`crashes: ${crashes}`);
    return failures + crashes;
  } finally {
    await h.close();
    process.off('uncaughtException', onCrash);
  }
}

function sockets(perEndpoint: number, concurrency: number, print: (l: string) => void) {
  return withClassroom(print, async (h) => {
    let failures = 0;
    const sessionId = await h.startSession('3eF', 'teacher1');
    // A token that outlives the run: a lapsed one puts the socket out, and every later payload would go unanswered.
    const teacher = await h.join(sessionId, person('teacher1', '3eF', 'teacher'), 24 * 3600);
    print('\nSocket events (a teacher in a live session):');
    failures += await fuzzEvents(
      (Object.keys(ClientEventSchemas) as ClientEventName[]).map((name) => ({
        name,
        request: ClientEventSchemas[name].request,
      })),
      (event, payload) => request(teacher, event as ClientEventName, payload as never),
      () => socketState(h),
      perEndpoint,
      concurrency,
      print,
    );
    return failures;
  });
}

function spaceChat(perEndpoint: number, concurrency: number, print: (l: string) => void) {
  return withClassroom(print, async (h) => {
    let failures = 0;
    const chat = await groupOwnerChat(h, 'group_fuzzbench', 24 * 3600);
    print('\nSocket events (the owner of a work group, in its persistent chat):');
    failures += await fuzzEvents(
      (Object.keys(SpaceChatClientEvents) as SpaceChatEventName[]).map((name) => ({
        name,
        request: SpaceChatClientEvents[name].request,
      })),
      (event, payload) => spaceChatRequest(chat, event as SpaceChatEventName, payload as never),
      () => socketState(h),
      perEndpoint,
      concurrency,
      print,
    );
    return failures;
  });
}

await main();
