// Steady class traffic (run: `npx tsx load-tests/class-traffic.ts`; it prints figures
// and asserts nothing): P participants in classes of 30 chat and raise hands for D
// seconds, first on Préau's classroom node (its own process; every message checked,
// stored and traced) and then, in the same run, on a bare socket.io server doing the
// same fan-out and nothing else (load-tests/reference/bare-live.mjs). Printed for
// each: fan-out p50/p99 (send to every other member of the class receiving it),
// messages acknowledged, deliveries missing (must be 0), server CPU and memory,
// and this script's own CPU (when it nears a core, the client is the limit).
// Options: --participants (2000,5000: one phase each) times --scale (1);
// --seconds (30); --rate (chat messages per second per participant, 0.1: 200/s for
// 2,000); --hands (hand raises per second per participant, 0.02); --class (30);
// --cluster (Préau on the local cluster instead of one node).

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/support/ports';
import { joinSession, type LiveSocket, send } from './live/participants';
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

const SCALE = Number(option('scale', '1'));
const PHASES = option('participants', '2000,5000')
  .split(',')
  .map((n) => Math.max(2, Math.round(Number(n) * SCALE)));
const SECONDS = Number(option('seconds', '30'));
const RATE = Number(option('rate', '0.1'));
const HANDS = Number(option('hands', '0.02'));
const CLASS = Number(option('class', '30'));
const CLUSTER = option('cluster', 'false') === 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  label: string;
  participants: number;
  joined: number;
  sent: number;
  acked: number;
  refused: number;
  missing: number;
  p50: number;
  p99: number;
  hands: number;
  serverCpu?: number;
  serverRss?: number;
  clientCpu: number;
}

interface Run {
  url: string;
  pid?: number;
  sessions: Array<{ sessionId: string; classId: string }>;
  token(i: number): Promise<string>;
}

/** Joins P participants, runs the traffic, and measures. */
async function phase(label: string, participants: number, run: Run): Promise<Figures> {
  const classOf = (i: number) => i % run.sessions.length;
  // Arrivals spread so the joins themselves are not the test (join-storm.ts is).
  const spread = Math.min(60_000, participants * 5);
  const joined = await Promise.all(
    Array.from({ length: participants }, async (_, i) => {
      await sleep(Math.random() * spread);
      return joinSession(run.url, run.sessions[classOf(i)]!.sessionId, () => run.token(i));
    }),
  );
  const sockets: Array<LiveSocket | undefined> = joined.map((o) => o.socket);
  const members = new Map<number, number>();
  sockets.forEach((s, i) => {
    if (s) members.set(classOf(i), (members.get(classOf(i)) ?? 0) + 1);
  });
  const latencies: number[] = [];
  let received = 0;
  let handEvents = 0;
  for (const socket of sockets) {
    socket?.on('chat.message', (m: { text: string }) => {
      const sentAt = Number(/^t=([\d.]+)/.exec(m.text)?.[1]);
      if (Number.isFinite(sentAt)) {
        latencies.push(now() - sentAt);
        received++;
      }
    });
    socket?.on('hands.updated', () => {
      handEvents++;
    });
  }
  const live = sockets.flatMap((s, i) => (s ? [i] : []));
  let sent = 0;
  let acked = 0;
  let refused = 0;
  let expected = 0;
  const pending: Array<Promise<unknown>> = [];
  const before = run.pid ? processUsage(run.pid) : undefined;
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  const chatPerMs = (RATE * live.length) / 1000;
  const handsPerMs = (HANDS * live.length) / 1000;
  let chatDue = 0;
  let handsDue = 0;
  let last = start;
  while (performance.now() - start < SECONDS * 1000) {
    await sleep(10);
    const t = performance.now();
    chatDue += (t - last) * chatPerMs;
    handsDue += (t - last) * handsPerMs;
    last = t;
    for (; chatDue >= 1; chatDue--) {
      const i = live[Math.floor(Math.random() * live.length)]!;
      sent++;
      pending.push(
        send(sockets[i]!, 'chat.send', { text: `t=${now().toFixed(3)} bonjour` }).then((r) => {
          if (r?.ok) {
            acked++;
            expected += (members.get(classOf(i)) ?? 1) - 1;
          } else refused++;
        }),
      );
    }
    for (; handsDue >= 1; handsDue--) {
      const socket = sockets[live[Math.floor(Math.random() * live.length)]!]!;
      pending.push(
        send(socket, 'hand.raise', {}).then(() =>
          sleep(3000).then(() => send(socket, 'hand.lower', {})),
        ),
      );
    }
  }
  await Promise.all(pending);
  await sleep(2000);
  const wall = (performance.now() - start) / 1000;
  const after = run.pid ? processUsage(run.pid) : undefined;
  const client = process.cpuUsage(clientBefore);
  for (const s of sockets) s?.close();
  return {
    label,
    participants,
    joined: live.length,
    sent,
    acked,
    refused,
    missing: expected - received,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    hands: handEvents,
    ...(before && after
      ? { serverCpu: (after.cpuMs - before.cpuMs) / 10 / wall, serverRss: after.rssMb }
      : {}),
    clientCpu: (client.user + client.system) / 10_000 / wall,
  };
}

async function startBare(): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'load-tests/reference/bare-live.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('listening')) resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

let target: LiveTarget | undefined;
let bare: Awaited<ReturnType<typeof startBare>> | undefined;
const cancel = budget(PHASES.length * 2 * (SECONDS + 240) * 1000, async () => {
  await target?.stop();
  await bare?.stop();
});

console.log(
  `class traffic: ${PHASES.join(' then ')} participants in classes of ${CLASS}, ${SECONDS} s each, ` +
    `${RATE} messages/s and ${HANDS} hands/s per participant; ` +
    `Préau on ${CLUSTER ? 'the local cluster' : 'one classroom node'}, then a bare socket.io server`,
);
const results: Figures[] = [];
try {
  for (const participants of PHASES) {
    const classes = Math.max(1, Math.ceil(participants / CLASS));
    target = CLUSTER ? await startClusterTarget() : await startSingleNode();
    const t = target;
    const sessions = await t.startSessions(classes);
    results.push(
      await phase('Préau', participants, {
        url: t.url,
        ...(t.nodes[0]?.pid ? { pid: t.nodes[0].pid } : {}),
        sessions,
        token: (i) => t.mint(person(`p${i}`, sessions[i % classes]!.classId)),
      }),
    );
    const crashed = t.nodes.filter((n) => n.crashed()).length;
    if (crashed) console.log(`Préau: ${crashed} node(s) crashed`);
    await t.stop();
    target = undefined;
    bare = await startBare();
    const b = bare;
    const fake = Array.from({ length: classes }, (_, i) => ({
      sessionId: `room${i}`,
      classId: `c${i}`,
    }));
    results.push(
      await phase('bare socket.io', participants, {
        url: b.url,
        ...(b.child.pid ? { pid: b.child.pid } : {}),
        sessions: fake,
        token: async () => 'none',
      }),
    );
    await b.stop();
    bare = undefined;
  }
} finally {
  await target?.stop();
  await bare?.stop();
  cancel();
}

console.log(`\n--- class traffic, ${new Date().toISOString()} ---`);
console.log(
  '| server | participants (joined) | messages sent / acked / refused | deliveries missing | fan-out p50 | fan-out p99 | hand events received | server CPU | server RSS | this script CPU |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.label} | ${r.participants} (${r.joined}) | ${r.sent} / ${r.acked} / ${r.refused} | ${r.missing} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.hands} | ${r.serverCpu?.toFixed(0) ?? '—'} % | ${r.serverRss?.toFixed(0) ?? '—'} MB | ${r.clientCpu.toFixed(0)} % |`,
  );
}
