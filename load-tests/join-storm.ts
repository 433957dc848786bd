// Join storm (run: `npx tsx load-tests/join-storm.ts`; it prints figures and asserts
// nothing): N simulated participants (socket.io clients, real tokens from web's
// token service, no media) join M live classes, arriving at random within T
// seconds, against one classroom node in its own process (or the local cluster
// with --cluster). A busy node's answer is retried as the browser does. Printed:
// share served, share told to retry (and then served), refused, dropped with no
// answer (must be 0), join latency p50/p95/p99, handshake p50/p99, JWKS fetches,
// the node's CPU and memory per participant, crashes (must be 0).
// Options: --participants (5000) --classes (150), both times --scale (1);
// --seconds (60); --max-connections, --max-joins, --max-loop-delay (the node's
// LIVE_MAX_*); --cluster.

import { createCapabilityVerifier } from '@preau/protocol/server';
import { type JoinOutcome, joinSession } from './live/participants';
import {
  budget,
  type LiveTarget,
  option,
  percentile,
  person,
  processUsage,
  startClusterTarget,
  startSingleNode,
} from './live/targets';
import { liveHeapMb } from './support/heap';

const SCALE = Number(option('scale', '1'));
const PARTICIPANTS = Math.max(2, Math.round(Number(option('participants', '5000')) * SCALE));
const CLASSES = Math.max(1, Math.round(Number(option('classes', '150')) * SCALE));
const SECONDS = Math.max(1, Number(option('seconds', '60')));
const CLUSTER = option('cluster', 'false') === 'true';
const nodeEnv: Record<string, string> = {};
for (const [flag, name] of [
  ['max-connections', 'LIVE_MAX_CONNECTIONS'],
  ['max-joins', 'LIVE_MAX_JOINS_IN_FLIGHT'],
  ['max-loop-delay', 'LIVE_MAX_LOOP_DELAY_MS'],
] as const) {
  const value = option(flag, '');
  if (value) nodeEnv[name] = value;
}

let target: LiveTarget | undefined;
const cancel = budget((SECONDS + 300) * 1000, async () => {
  await target?.stop();
});

console.log(
  `join storm: ${PARTICIPANTS} participants, ${CLASSES} classes, within ${SECONDS} s, ` +
    `${CLUSTER ? 'the local cluster (2 classroom nodes)' : 'one classroom node'}` +
    (Object.keys(nodeEnv).length ? `, ${JSON.stringify(nodeEnv)}` : ''),
);
target = CLUSTER ? await startClusterTarget(nodeEnv) : await startSingleNode(nodeEnv);
const t = target;
try {
  const sessions = await t.startSessions(CLASSES);
  // Tokens minted beforehand: the storm measures the node, not this script's signing.
  const tokens = await Promise.all(
    Array.from({ length: PARTICIPANTS }, (_, i) =>
      t.mint(person(`p${i}`, sessions[i % CLASSES]!.classId)),
    ),
  );
  if (t.jwksUrl) await tokenCheckCost(t.jwksUrl, tokens.slice(0, 2000));
  const pid = t.nodes[0]?.pid;
  const inspector = t.nodes[0]?.inspector;
  const before = pid ? processUsage(pid) : undefined;
  const heapBefore = inspector ? await liveHeapMb(inspector) : undefined;
  const started = performance.now();
  const outcomes = await Promise.all(
    tokens.map(async (token, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * SECONDS * 1000));
      let used = false;
      // A retry after a busy answer asks for a fresh token, as the browser does.
      return joinSession(t.url, sessions[i % CLASSES]!.sessionId, async () => {
        if (!used) {
          used = true;
          return token;
        }
        return t.mint(person(`p${i}`, sessions[i % CLASSES]!.classId));
      });
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const after = pid ? processUsage(pid) : undefined;
  const heapAfter = inspector ? await liveHeapMb(inspector) : undefined;
  report(outcomes, wall, before, after);
  if (heapBefore !== undefined && heapAfter !== undefined) {
    const inside = outcomes.filter((o) => o.result === 'served' || o.result === 'retried').length;
    console.log(
      `node live heap (after a full GC) ${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB; ${((1024 * (heapAfter - heapBefore)) / Math.max(1, inside)).toFixed(1)} kB per participant`,
    );
  }
  for (const o of outcomes) o.socket?.close();
  await new Promise((r) => setTimeout(r, 1000));
} finally {
  await t.stop();
  cancel();
}

/** What checking one token costs with the nodes' verifier (remote JWKS, cached after the first fetch). */
async function tokenCheckCost(jwksUrl: string, sample: string[]) {
  const verify = createCapabilityVerifier({
    issuer: 'preau',
    audience: 'preau:classroom',
    jwks: new URL(jwksUrl),
  });
  await verify(sample[0]!);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const token of sample) await verify(token);
  const used = process.cpuUsage(cpu);
  console.log(
    `token check (Ed25519, cached JWKS): ${((1000 * (performance.now() - start)) / sample.length).toFixed(0)} µs wall, ` +
      `${((used.user + used.system) / sample.length).toFixed(0)} µs CPU per token (${sample.length} tokens)`,
  );
}

function report(
  outcomes: JoinOutcome[],
  wall: number,
  before?: { cpuMs: number; rssMb: number },
  after?: { cpuMs: number; rssMb: number },
) {
  const count = (r: JoinOutcome['result']) => outcomes.filter((o) => o.result === r).length;
  const share = (n: number) => `${n} (${((100 * n) / outcomes.length).toFixed(1)} %)`;
  const inside = outcomes.filter((o) => o.result === 'served' || o.result === 'retried');
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const reasons = new Map<string, number>();
  for (const o of outcomes) if (o.reason) reasons.set(o.reason, (reasons.get(o.reason) ?? 0) + 1);
  console.log(`\n--- join storm, ${new Date().toISOString()} ---`);
  console.log(`participants                    ${outcomes.length} in ${wall.toFixed(1)} s`);
  console.log(`served at once                  ${share(count('served'))}`);
  console.log(`told to retry, then served      ${share(count('retried'))}`);
  const why = new Map<string, number>();
  for (const o of outcomes) for (const w of o.busyWhy) why.set(w, (why.get(w) ?? 0) + 1);
  console.log(
    `busy answers in all             ${outcomes.reduce((n, o) => n + o.busy, 0)} ${JSON.stringify(Object.fromEntries(why))}`,
  );
  console.log(`refused (other error)           ${share(count('refused'))}`);
  console.log(`dropped with no answer          ${share(count('dropped'))}`);
  if (reasons.size)
    console.log(`reasons                         ${JSON.stringify(Object.fromEntries(reasons))}`);
  const attempt = inside.map((o) => o.attemptMs);
  const total = inside.map((o) => o.totalMs);
  const hs = inside.map((o) => o.handshakeMs);
  console.log(
    `join (the attempt that got in)  p50 ${ms(percentile(attempt, 50))}  p95 ${ms(percentile(attempt, 95))}  p99 ${ms(percentile(attempt, 99))}`,
  );
  console.log(
    `time to get in (with retries)   p50 ${ms(percentile(total, 50))}  p95 ${ms(percentile(total, 95))}  p99 ${ms(percentile(total, 99))}`,
  );
  console.log(
    `handshake (token checked)       p50 ${ms(percentile(hs, 50))}  p99 ${ms(percentile(hs, 99))}`,
  );
  console.log(`JWKS fetched by the node        ${target?.jwksFetches()} times`);
  if (before && after) {
    const cpu = (after.cpuMs - before.cpuMs) / 1000;
    console.log(
      `node CPU                        ${cpu.toFixed(1)} s over ${wall.toFixed(1)} s (${((100 * cpu) / wall).toFixed(0)} % of a core); ${((1000 * cpu) / Math.max(1, inside.length)).toFixed(2)} ms per participant`,
    );
    console.log(
      `node memory                     ${before.rssMb.toFixed(0)} → ${after.rssMb.toFixed(0)} MB; ${((1024 * (after.rssMb - before.rssMb)) / Math.max(1, inside.length)).toFixed(1)} kB per participant`,
    );
  }
  const crashes = target?.nodes.filter((n) => n.crashed()).length ?? 0;
  console.log(`crashes                         ${crashes}`);
}
