// Steady class traffic (run: `npx tsx load-tests/class-traffic.ts`; it prints figures
// and asserts nothing): P participants in classes of 30 chat and raise hands for D
// seconds, first on Préau's classroom node (its own process; every message checked,
// stored and traced) and then, in the same run, on a bare socket.io server doing the
// same fan-out and nothing else (load-tests/reference/bare-live.mjs). Printed for
// each: fan-out p50/p99 (send to every other member of the class receiving it),
// messages acknowledged, deliveries missing (must be 0), duplicates (must be 0),
// refused messages delivered all the same, server CPU and memory, CPU per process,
// and this script's own CPU (when it nears a core, the client is the limit).
// Options: --participants (2000,5000: one phase each) times --scale (1);
// --seconds (30); --rate (chat messages per second per participant, 0.1: 200/s for
// 2,000); --hands (hand raises per second per participant, 0.02); --class (30);
// --cluster (Préau on the local cluster instead of one node); --profile DIR (each of
// Préau's node processes writes a CPU profile there when it stops).

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/support/ports';
import { joinSession, type LiveSocket, send } from './live/participants';
import {
  budget,
  cpuByGroup,
  cpuShare,
  type LiveTarget,
  option,
  percentile,
  person,
  portOf,
  processUsage,
  redisCalls,
  redisCallsBetween,
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
// Where Préau's nodes write a CPU profile each when they stop (node's --cpu-prof).
const PROFILE = option('profile', '');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  label: string;
  participants: number;
  joined: number;
  sent: number;
  acked: number;
  /** Refusals by error code (`no answer`: none within 30 s). */
  refused: Map<string, number>;
  /** Members of the class (joined, not the sender) that never got an acknowledged message. */
  missing: number;
  /** A member that got the same message more than once (must be 0). */
  duplicates: number;
  /** Messages answered with a refusal (or not at all) that members got all the same. */
  deliveredUnacked: number;
  p50: number;
  p99: number;
  hands: number;
  serverCpu?: number;
  serverRss?: number;
  clientCpu: number;
  /** CPU of every process of the run, % of one core over the phase. */
  cpu: Array<{ group: string; percent: number }>;
  /** Redis calls by command over the phase (cluster). */
  redis: Array<{ command: string; calls: number }>;
}

interface Run {
  url: string;
  pid?: number;
  databaseUrl?: string;
  redisUrl?: string;
  sessions: Array<{ sessionId: string; classId: string }>;
  token(i: number): Promise<string>;
}

/** One chat message of the phase: who sent it, in which class, and who got it. */
interface Sent {
  sender: number;
  classIndex: number;
  answer: 'pending' | 'acked' | 'refused';
  /** Members that received it (receiver index), each counted once. */
  receivedBy: Set<number>;
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
  const outcomes = new Map<string, number>();
  for (const o of joined) outcomes.set(o.result, (outcomes.get(o.result) ?? 0) + 1);
  console.log(
    `${label}, ${participants}: joins ${[...outcomes].map(([r, n]) => `${r} ${n}`).join(', ')}`,
  );
  const membersOf = new Map<number, number[]>();
  sockets.forEach((s, i) => {
    if (s) membersOf.set(classOf(i), [...(membersOf.get(classOf(i)) ?? []), i]);
  });
  // Every message is numbered: a delivery is checked against the class it was sent
  // to and counted once per member, so that a duplicate or a delivery of a
  // message answered with a refusal shows as what it is.
  const messages: Sent[] = [];
  const latencies: number[] = [];
  let duplicates = 0;
  let handEvents = 0;
  sockets.forEach((socket, receiver) => {
    socket?.on('chat.message', (m: { text: string }) => {
      const match = /^t=([\d.]+) m=(\d+) /.exec(m.text);
      if (!match) return;
      const sent = messages[Number(match[2])];
      if (!sent) return;
      if (sent.receivedBy.has(receiver)) {
        duplicates++;
        return;
      }
      sent.receivedBy.add(receiver);
      latencies.push(now() - Number(match[1]));
    });
    socket?.on('hands.updated', () => {
      handEvents++;
    });
  });
  const live = sockets.flatMap((s, i) => (s ? [i] : []));
  let acked = 0;
  const refused = new Map<string, number>();
  const pending: Array<Promise<unknown>> = [];
  const before = run.pid ? processUsage(run.pid) : undefined;
  const pgPort = run.databaseUrl ? portOf(run.databaseUrl) : undefined;
  const cpuBefore = cpuByGroup(pgPort);
  const redisBefore = run.redisUrl ? await redisCalls(run.redisUrl) : undefined;
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
      const sent: Sent = {
        sender: i,
        classIndex: classOf(i),
        answer: 'pending',
        receivedBy: new Set(),
      };
      const id = messages.push(sent) - 1;
      pending.push(
        send(sockets[i]!, 'chat.send', { text: `t=${now().toFixed(3)} m=${id} bonjour` }).then(
          (r) => {
            if (r?.ok) {
              acked++;
              sent.answer = 'acked';
            } else {
              sent.answer = 'refused';
              const code = r ? r.error.code : 'no answer';
              refused.set(code, (refused.get(code) ?? 0) + 1);
            }
          },
        ),
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
  const cpu = cpuShare(cpuBefore, cpuByGroup(pgPort), wall);
  const redis =
    run.redisUrl && redisBefore
      ? redisCallsBetween(redisBefore, await redisCalls(run.redisUrl))
      : [];
  const client = process.cpuUsage(clientBefore);
  for (const s of sockets) s?.close();
  let missing = 0;
  let deliveredUnacked = 0;
  for (const sent of messages) {
    if (sent.answer !== 'acked') {
      if (sent.receivedBy.size > 0) deliveredUnacked++;
      continue;
    }
    for (const member of membersOf.get(sent.classIndex) ?? []) {
      if (member !== sent.sender && !sent.receivedBy.has(member)) missing++;
    }
  }
  return {
    label,
    participants,
    joined: live.length,
    sent: messages.length,
    acked,
    refused,
    missing,
    duplicates,
    deliveredUnacked,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    hands: handEvents,
    ...(before && after
      ? { serverCpu: (after.cpuMs - before.cpuMs) / 10 / wall, serverRss: after.rssMb }
      : {}),
    clientCpu: (client.user + client.system) / 10_000 / wall,
    cpu,
    redis,
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
    const env: Record<string, string> = PROFILE
      ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE}` }
      : {};
    target = CLUSTER ? await startClusterTarget(env) : await startSingleNode(env);
    const t = target;
    const sessions = await t.startSessions(classes);
    results.push(
      await phase('Préau', participants, {
        url: t.url,
        databaseUrl: t.databaseUrl,
        ...(t.redisUrl ? { redisUrl: t.redisUrl } : {}),
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
  '| server | participants (joined) | messages sent / acked / refused | deliveries missing | duplicates | refused yet delivered | fan-out p50 | fan-out p99 | hand events received | server CPU | server RSS | this script CPU |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const refusedCount = [...r.refused.values()].reduce((a, b) => a + b, 0);
  console.log(
    `| ${r.label} | ${r.participants} (${r.joined}) | ${r.sent} / ${r.acked} / ${refusedCount} | ${r.missing} | ${r.duplicates} | ${r.deliveredUnacked} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.hands} | ${r.serverCpu?.toFixed(0) ?? '—'} % | ${r.serverRss?.toFixed(0) ?? '—'} MB | ${r.clientCpu.toFixed(0)} % |`,
  );
}
console.log(
  '\nrefusals by code, and CPU of every process of the run (% of one core over the phase):',
);
for (const r of results) {
  const codes = [...r.refused].map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  const cpu = r.cpu.map((c) => `${c.group} ${c.percent.toFixed(0)} %`).join(', ');
  console.log(`- ${r.label} ${r.participants}: refused: ${codes}; CPU: ${cpu}`);
  if (r.redis.length > 0) {
    const perMessage = r.redis
      .slice(0, 8)
      .map((c) => `${c.command} ${c.calls} (${(c.calls / Math.max(1, r.sent)).toFixed(2)})`)
      .join(', ');
    console.log(`  Redis calls over the phase (per chat message sent): ${perMessage}`);
  }
}
