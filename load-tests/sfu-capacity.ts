// SFU forwarding capacity and join-to-first-frame time, Préau's SFU against a
// bare mediasoup script, in one run on this machine (loopback only).
//
//   npx tsx load-tests/sfu-capacity.ts
//
// Capacity: one mediasoup worker (one core), CAMERAS synthetic VP8 cameras
// (plain RTP transports, 60 packets/s ≈ 550 kbit/s each), and viewers that each consume every
// camera on one plain transport. Viewers are added in steps of +50 %; each step
// is measured over WINDOW_MS after a warm-up; the ramp stops at the first step
// with 1 % loss or more (sequence gaps seen by the receiver), a saturated worker,
// a script that cannot keep up itself, or its time budget. The figure is the
// most consumers forwarded with less than 1 % loss, and that figure divided by
// the worker's CPU share (what a whole core would carry at that cost).
// Join: a new viewer's time from its consume() call to its first RTP packet (a
// keyframe requested by PLI and answered by the synthetic camera).
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { RtpReceiver } from '@preau/sfu/testing';
import {
  bareMediasoupTarget,
  CAMERA,
  cpuSeconds,
  preauTarget,
  SAMPLE_VIEWERS,
  type Target,
} from './sfu-targets';

const CAMERAS = 4;
const FIRST_VIEWERS = 16;
const WARMUP_MS = 1500;
const WINDOW_MS = 3000;
const MAX_CONSUMERS = 4000;
const LOSS_LIMIT = 0.01;
/** Past this share of its core the worker is saturated. */
const CPU_LIMIT = 0.9;
/** Below this share of the nominal rate, this script (not the SFU) is the bottleneck. */
const HARNESS_LIMIT = 0.9;
/** Time one target may take, and one step's set-up. */
const TARGET_BUDGET_MS = 3 * 60_000;
const STEP_SETUP_LIMIT_MS = 60_000;
const JOINS = 20;
/** A join that takes longer than this is counted as failed. */
const JOIN_LIMIT_MS = 10_000;
/** The whole run stops by itself after this, whatever happens. */
const RUN_LIMIT_MS = 15 * 60_000;

interface Step {
  consumers: number;
  loss: number;
  workerCpu: number;
  packetsPerSecond: number;
  /** Packets received over packets the cameras sent times viewers. */
  delivered: number;
  /** What the SFU itself forwarded: sampled consumers' packets over producers' packets. */
  forwarded: number;
}

type StopReason = 'loss' | 'worker cpu' | 'harness' | 'time' | 'max';

interface Capacity {
  steps: Step[];
  stop: StopReason;
}

async function capacity(target: Target): Promise<Capacity> {
  const budgetEnds = performance.now() + TARGET_BUDGET_MS;
  const cameras = [];
  for (let i = 0; i < CAMERAS; i++) cameras.push(await target.addCamera());
  const producerIds = cameras.map((c) => c.producerId);
  const pid = await target.workerPid();
  // One socket receives every viewer's media: less work here, same work in the SFU.
  const receiver = await RtpReceiver.open();
  const steps: Step[] = [];
  let viewers = 0;
  let wanted = FIRST_VIEWERS;
  try {
    for (;;) {
      if (wanted * CAMERAS > MAX_CONSUMERS) return { steps, stop: 'max' };
      const setupEnds = performance.now() + STEP_SETUP_LIMIT_MS;
      while (viewers < wanted) {
        const left = setupEnds - performance.now();
        if (!(await within(left, target.addViewer(producerIds, receiver)))) {
          return { steps, stop: 'harness' };
        }
        viewers++;
      }
      await sleep(WARMUP_MS);
      // The SFU's counters are read outside the timed window: on a loaded
      // machine reading them can take a while, and the window must not stretch.
      const countersBefore = await target.counters();
      const before = receiver.counts;
      const sentBefore = cameras.reduce((n, c) => n + c.sender.sent, 0);
      const cpuBefore = cpuSeconds(pid);
      const started = performance.now();
      await sleep(WINDOW_MS);
      const seconds = (performance.now() - started) / 1000;
      const workerCpu = (cpuSeconds(pid) - cpuBefore) / seconds;
      const after = receiver.counts;
      const sent = cameras.reduce((n, c) => n + c.sender.sent, 0) - sentBefore;
      const countersAfter = await target.counters();
      const ingress = countersAfter.ingress - countersBefore.ingress;
      const egress = countersAfter.egressSample - countersBefore.egressSample;
      const received = after.packets - before.packets;
      const lost = after.lost - before.lost;
      const step: Step = {
        consumers: viewers * CAMERAS,
        loss: received + lost > 0 ? lost / (received + lost) : 1,
        workerCpu,
        packetsPerSecond: received / seconds,
        delivered: received / (sent * viewers),
        forwarded: ingress > 0 ? egress / (ingress * Math.min(viewers, SAMPLE_VIEWERS)) : 0,
      };
      steps.push(step);
      console.log(
        `  ${target.name}: ${String(step.consumers).padStart(5)} consumers  ` +
          `loss ${(step.loss * 100).toFixed(2).padStart(6)} %  ` +
          `worker cpu ${(step.workerCpu * 100).toFixed(0).padStart(3)} %  ` +
          `${String(Math.round(step.packetsPerSecond)).padStart(6)} packets/s out  ` +
          `sfu forwarded ${(step.forwarded * 100).toFixed(1)} %  ` +
          `cameras at ${((sent / seconds / nominalRate()) * 100).toFixed(0)} % of nominal`,
      );
      // Gaps the SFU's own counters do not show were made here, by a receiver falling behind.
      if (step.loss >= LOSS_LIMIT) {
        return { steps, stop: step.forwarded < 1 - LOSS_LIMIT ? 'loss' : 'harness' };
      }
      if (step.workerCpu >= CPU_LIMIT) return { steps, stop: 'worker cpu' };
      if (sent / seconds < HARNESS_LIMIT * nominalRate()) return { steps, stop: 'harness' };
      if (performance.now() > budgetEnds) return { steps, stop: 'time' };
      wanted = Math.ceil(wanted * 1.5);
    }
  } finally {
    receiver.close();
  }
}

/** The work's result, or undefined if it did not finish within `ms` (it is left to finish alone). */
async function within<T>(
  ms: number,
  work: Promise<T> | (() => Promise<T>),
): Promise<T | undefined> {
  const promise = typeof work === 'function' ? work() : work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Packets per second all cameras together should send. */
function nominalRate(): number {
  // Each camera sends whole frames: 30 per second, CAMERA.packetsPerSecond rounded per frame.
  return CAMERAS * 30 * Math.max(1, Math.round(CAMERA.packetsPerSecond / 30));
}

async function joinTimes(target: Target): Promise<number[]> {
  const camera = await target.addCamera();
  await sleep(500);
  const times: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    const receiver = await RtpReceiver.open();
    try {
      const joined = await within(JOIN_LIMIT_MS, async () => {
        const viewer = await target.addViewer([camera.producerId], receiver);
        await receiver.firstPacket();
        return viewer;
      });
      if (joined) times.push(receiver.counts.firstAt! - joined.consumeStartedAt);
    } finally {
      receiver.close();
    }
  }
  return times.sort((a, b) => a - b);
}

/** The largest clean step, and consumers per full core projected from its worker CPU. */
function best({ steps }: Capacity): { consumers: number; perCore: number } {
  const clean = steps.filter((s) => s.loss < LOSS_LIMIT && s.delivered >= 1 - LOSS_LIMIT);
  const top = clean.at(-1);
  if (!top) return { consumers: 0, perCore: 0 };
  return { consumers: top.consumers, perCore: top.consumers / Math.max(top.workerCpu, 0.01) };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function withTarget<T>(make: () => Promise<Target>, run: (t: Target) => Promise<T>) {
  const target = await make();
  try {
    return { name: target.name, result: await run(target) };
  } finally {
    await target.close();
  }
}

async function main() {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(
    `machine: ${cpus().length} cores, ${cpu}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `capacity: one worker, ${CAMERAS} cameras at ${CAMERA.packetsPerSecond} packets/s, +50 % viewers per step`,
  );
  const bare = await withTarget(bareMediasoupTarget, capacity);
  const preau = await withTarget(() => preauTarget('in-process'), capacity);

  console.log(`join to first frame: ${JOINS} viewers joining one by one`);
  const joins = [
    await withTarget(bareMediasoupTarget, joinTimes),
    await withTarget(() => preauTarget('in-process'), joinTimes),
    await withTarget(() => preauTarget('rpc'), joinTimes),
  ];

  const preauBest = best(preau.result);
  const bareBest = best(bare.result);
  console.log('\nresults');
  for (const [name, b, r] of [
    [preau.name, preauBest, preau.result],
    [bare.name, bareBest, bare.result],
  ] as const) {
    console.log(
      `  ${name}: ${b.consumers} consumers on one worker at < 1 % loss (stopped by ${r.stop}); ` +
        `projected to a full core: ${Math.round(b.perCore)}`,
    );
  }
  const ratio = (a: number, b: number) => (b ? (a / b).toFixed(2) : 'n/a');
  console.log(
    `  ratio préau / bare: measured ${ratio(preauBest.consumers, bareBest.consumers)}, ` +
      `projected ${ratio(preauBest.perCore, bareBest.perCore)}`,
  );
  for (const j of joins) {
    const figures = j.result.length
      ? `median ${quantile(j.result, 0.5).toFixed(1)} ms, p95 ${quantile(j.result, 0.95).toFixed(1)} ms`
      : 'no viewer got a frame';
    console.log(
      `  join to first frame, ${j.name}: ${figures} (${j.result.length}/${JOINS} joined)`,
    );
  }
}

const watchdog = setTimeout(() => {
  console.error(`stopped after ${RUN_LIMIT_MS / 60_000} min`);
  process.exit(2);
}, RUN_LIMIT_MS);
watchdog.unref();
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
