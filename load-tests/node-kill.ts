// A classroom node killed in the middle of a join storm (run:
// `npx tsx load-tests/node-kill.ts --cluster`; it prints figures and asserts nothing).
// On the local cluster (two classroom nodes on Redis behind the balancer,
// tests/support/cluster.ts), N participants join M classes within T seconds and
// chat; halfway through, one classroom node is killed (SIGKILL). Every client cut
// off comes back through the balancer (busy answers retried as the browser does).
// Printed: participants cut off, time until every one of them is back (and
// p50/p99), those never back, chat messages acknowledged and how many of them are
// missing from the database afterwards (must be 0), crashes of the other node.
// Options: --participants (5000) --classes (150), both times --scale (1);
// --seconds (60); --chat-every (seconds between a participant's messages, 10);
// --profile DIR (each node's CPU profile, written when it stops; costs CPU).

import { sql } from 'kysely';
import { joinSession, type LiveSocket, send } from './live/participants';
import {
  budget,
  type LiveTarget,
  option,
  percentile,
  person,
  startClusterTarget,
} from './live/targets';

const SCALE = Number(option('scale', '1'));
const PARTICIPANTS = Math.max(2, Math.round(Number(option('participants', '5000')) * SCALE));
const CLASSES = Math.max(1, Math.round(Number(option('classes', '150')) * SCALE));
const SECONDS = Math.max(2, Number(option('seconds', '60')));
const CHAT_EVERY = Number(option('chat-every', '10'));
/** Each node writes a CPU profile there when it stops (the killed one does not). */
const PROFILE = option('profile', '');
/** Clients not back this long after the kill are counted as never back. */
const RECOVERY_CAP_MS = 120_000;

if (option('cluster', 'false') !== 'true') {
  console.error('node-kill needs two classroom nodes: run it with --cluster (the local cluster).');
  process.exit(1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let target: LiveTarget | undefined;
const cancel = budget((SECONDS + RECOVERY_CAP_MS / 1000 + 300) * 1000, async () => {
  await target?.stop();
});

console.log(
  `node kill: ${PARTICIPANTS} participants, ${CLASSES} classes, within ${SECONDS} s; a classroom node killed at ${SECONDS / 2} s`,
);
target = await startClusterTarget(
  PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE}` } : {},
);
const t = target;
try {
  const sessions = await t.startSessions(CLASSES);
  const acked: string[] = [];
  const cutAt = new Map<number, number>();
  const backAfter = new Map<number, number>();
  let chatErrors = 0;
  /** Why a client cut off did not get back (other than the run ending), and the busy answers on the way back. */
  const notBack = new Map<string, number>();
  const busyAfter = new Map<string, number>();
  /** Connections that failed on the way back (tried again, as the browser does). */
  const failedOnTheWay = new Map<string, number>();
  /** Counts one more of a reason (numbers in it blanked, so that reasons group). */
  const tally = (m: Map<string, number>, why: string) => {
    const kind = why.replace(/\d+/g, 'N');
    m.set(kind, (m.get(kind) ?? 0) + 1);
  };
  let running = true;
  let killedAt = 0;

  const participant = async (i: number) => {
    const { sessionId, classId } = sessions[i % CLASSES]!;
    const token = () => t.mint(person(`p${i}`, classId));
    await sleep(Math.random() * SECONDS * 1000);
    let socket: LiveSocket | undefined = (await joinSession(t.url, sessionId, token, () => running))
      .socket;
    while (running && socket) {
      const current: LiveSocket = socket;
      const lost = new Promise<void>((resolve) =>
        current.once('disconnect', (reason) => {
          if (reason !== 'io client disconnect') resolve();
        }),
      );
      const chatting = (async () => {
        while (running && current.connected) {
          await sleep(CHAT_EVERY * 1000 * (0.5 + Math.random()));
          if (!running || !current.connected) return;
          const r = await send(current, 'chat.send', { text: `p${i} ${Date.now()}` });
          if (r?.ok) acked.push((r.data as { messageId: string }).messageId);
          else chatErrors++;
        }
      })();
      const ended = await Promise.race([
        lost.then(() => 'lost' as const),
        chatting.then(() => 'stop' as const),
      ]);
      if (ended === 'stop') break;
      // Cut off: back through the balancer, as the browser would.
      const at = performance.now();
      cutAt.set(i, at);
      // A connection that fails (no node took it yet) is tried again as the
      // browser's socket.io client does (web/src/lib/classroom/connection.ts:
      // 250 ms doubling to 1.5 s, ±30 %); a refusal is final.
      let back = await joinSession(t.url, sessionId, token, () => running);
      for (let attempt = 0; running && back.result === 'dropped'; attempt++) {
        tally(failedOnTheWay, back.reason ?? '?');
        await sleep(Math.min(250 * 2 ** attempt, 1500) * (0.7 + 0.6 * Math.random()));
        back = await joinSession(t.url, sessionId, token, () => running);
      }
      socket = back.socket;
      if (socket) backAfter.set(i, performance.now() - at);
      else if (running) tally(notBack, back.reason ?? '?');
      for (const why of back.busyWhy) tally(busyAfter, why);
    }
    socket?.close();
  };

  const storm = Promise.all(Array.from({ length: PARTICIPANTS }, (_, i) => participant(i)));
  await sleep((SECONDS / 2) * 1000);
  const victim = t.nodes[0]!;
  killedAt = performance.now();
  await victim.kill();
  console.log(`killed ${victim.name} at ${(SECONDS / 2).toFixed(0)} s`);
  // The storm goes on; then wait until everyone cut off is back (or the cap).
  await sleep((SECONDS / 2) * 1000);
  const deadline = performance.now() + RECOVERY_CAP_MS;
  while (performance.now() < deadline && [...cutAt.keys()].some((i) => !backAfter.has(i))) {
    await sleep(250);
  }
  running = false;
  // Everyone stops at their next step; a client stuck past that does not hold the figures up.
  await Promise.race([storm, sleep(60_000)]);
  await sleep(2000);

  const rows = await sql<{ id: string }>`
    select id from live_chat_message where session_id in (${sql.join(sessions.map((s) => s.sessionId))})
  `.execute(t.database.db);
  const stored = new Set(rows.rows.map((r) => r.id));
  const lost = acked.filter((id) => !stored.has(id)).length;
  const recoveries = [...backAfter.values()];
  const lastBack = Math.max(
    0,
    ...[...backAfter.entries()].map(([i, ms]) => cutAt.get(i)! + ms - killedAt),
  );
  console.log(`\n--- node kill, ${new Date().toISOString()} ---`);
  console.log(`participants                     ${PARTICIPANTS}`);
  console.log(`cut off by the kill              ${cutAt.size}`);
  console.log(
    `back                             ${backAfter.size}; never back ${cutAt.size - backAfter.size}`,
  );
  console.log(`time until every client is back  ${(lastBack / 1000).toFixed(1)} s after the kill`);
  console.log(
    `reconnection, each               p50 ${(percentile(recoveries, 50) / 1000).toFixed(2)} s  p99 ${(percentile(recoveries, 99) / 1000).toFixed(2)} s`,
  );
  const list = (m: Map<string, number>) =>
    m.size === 0 ? 'none' : [...m].map(([k, n]) => `${k} ×${n}`).join('; ');
  console.log(`why not back (during the run)    ${list(notBack)}`);
  console.log(`busy answers on the way back     ${list(busyAfter)}`);
  console.log(`failed attempts, tried again     ${list(failedOnTheWay)}`);
  console.log(`chat messages acknowledged       ${acked.length} (${chatErrors} not acknowledged)`);
  console.log(`acknowledged messages lost       ${lost}`);
  console.log(`crashes (other nodes)            ${t.nodes.filter((n) => n.crashed()).length}`);
} finally {
  await t.stop();
  cancel();
}
