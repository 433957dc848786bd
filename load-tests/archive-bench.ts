import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@preau/protocol/server';
import {
  Archiver,
  appendDocUpdate,
  createDoc,
  type Database,
  directoryNames,
  exportCase,
  loadArchiveSigner,
  openCase,
  openDatabase,
  placeHold,
  S3ObjectStore,
  SampleActivity,
  segmentMaxFor,
  startLocalS3,
  verifyBundle,
} from '@preau/storage';
import * as Y from 'yjs';
import { startPostgres } from '../tests/support/postgres';
import { threadCpu, threadCpuSince } from './support/threads';

/**
 * The archive's benchmark (a script, not a test): records archived per
 * second and per CPU second, the export of a 100,000-record case, the
 * offline verification of that bundle, and the latency of a pad's update
 * (stored with its author and traced, as the docs server does before it
 * acknowledges) with and without an ingest running beside it.
 *
 *   npx tsx load-tests/archive-bench.ts [--records 100000] [--postgres] [--no-latency]
 *     [--bundle file.zip]   (keeps the exported bundle, to time `./preau verify` on it)
 *     [--pause ms]          (between two segments; 10 as the server's default)
 *     [--segment n]         (records per segment at most; the server's default: 1000 on PostgreSQL, 250 on PGlite)
 *     [--compare-yield]     (the probe also beside an archiver that does not yield)
 *
 * CPU is given for the whole process and for its main thread alone (Préau's
 * own work and the local S3 endpoint's): with PGlite, the difference is
 * mostly the database engine on its own thread.
 *
 * Everything runs in this process (PGlite and the local S3 endpoint too)
 * unless --postgres starts a PostgreSQL server beside it.
 */
async function main() {
  const args = process.argv.slice(2);
  const count = Number(args[args.indexOf('--records') + 1]) || 100_000;
  const usePostgres = args.includes('--postgres');
  const dir = mkdtempSync(join(tmpdir(), 'preau-archive-bench-'));
  const pg = usePostgres ? await startPostgres() : undefined;
  const s3 = await startLocalS3(join(dir, 's3'));
  const objects = new S3ObjectStore({ ...s3, region: 'us-east-1', bucket: 'bench' });
  await objects.ensureBucket('us-east-1');
  const database = await openDatabase(
    pg ? { url: pg.url } : { dataDir: join(dir, 'pglite') },
    silentLogger(),
  );
  const { db } = database;
  const space = 'class_0350042K_bench';
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(
    `archive benchmark: ${count} records, ${pg ? 'PostgreSQL' : 'PGlite'}, local S3, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  );

  try {
    // Fill the outbox the way the features do: pads, boards, chat, sessions.
    let t = performance.now();
    const activity = await fill(db, space, count);
    print(
      `  outbox filled: ${count} records in ${((performance.now() - t) / 1000).toFixed(1)} s (recordTrace, 500 per transaction)`,
    );

    // Ingest: outbox → signed segments in S3 + index, as the background archiver does.
    const signer = await loadArchiveSigner(db);
    // As the server runs it (startArchiver): background statements, a pause between segments.
    const pauseMs = args.includes('--pause') ? Number(args[args.indexOf('--pause') + 1]) : 10;
    const segmentMax = args.includes('--segment')
      ? Number(args[args.indexOf('--segment') + 1])
      : segmentMaxFor(database, { ARCHIVE_SEGMENT_MAX: undefined });
    const archiver = new Archiver({
      db: database.background,
      objects,
      signer,
      log: silentLogger(),
      segmentMax,
      pauseMs,
    });
    t = performance.now();
    let cpu = process.cpuUsage();
    const mainCpu = process.threadCpuUsage();
    const threads = threadCpu();
    mark('ingest');
    const archived = await archiver.archiveSpace(space);
    mark('ingest done');
    let wall = (performance.now() - t) / 1000;
    let used = process.cpuUsage(cpu);
    let cpuSeconds = (used.user + used.system) / 1e6;
    const usedMain = process.threadCpuUsage(mainCpu);
    const mainSeconds = (usedMain.user + usedMain.system) / 1e6;
    print(
      `  ingest: ${archived} records in ${wall.toFixed(2)} s = ${Math.round(archived / wall)} records/s (wall); ${Math.round(archived / cpuSeconds)} records per CPU second of this process${pg ? ' (PostgreSQL works in its own processes)' : ' (PGlite and S3 included)'}; ${Math.round(archived / mainSeconds)} per CPU second of its main thread (${mainSeconds.toFixed(2)} of ${cpuSeconds.toFixed(2)} CPU s${pg ? '' : '; the rest is mostly PGlite on its own thread'})`,
    );
    print(`    CPU s by thread: ${threadCpuSince(threads)}`);

    if (!args.includes('--no-latency')) {
      // The same ingest as before this archiver yielded (its statements in
      // turn with everyone's, no pause), for comparison in the same run.
      const plain = args.includes('--compare-yield')
        ? new Archiver({ db, objects, signer, log: silentLogger(), segmentMax: 1000, pauseMs: 0 })
        : undefined;
      await latency(db, { archiver, plain }, space, Math.min(count, 20_000), print);
      await plain?.close();
    }
    await archiver.close();

    // Export a case holding the whole space (every record in scope).
    const who = { id: 'p_bench_archivist', role: 'archivist' as const };
    const kase = await openCase(db, who, {
      reference: `BENCH-${Date.now()}`,
      legalBasis: 'benchmark',
      authority: 'benchmark',
      description: '',
    });
    await placeHold(db, who, kase.id, {
      space,
      person: undefined,
      from: undefined,
      until: undefined,
    });
    t = performance.now();
    cpu = process.cpuUsage();
    mark('export');
    const { view, bytes } = await exportCase(
      { db, objects, signer, names: directoryNames(db) },
      who,
      kase.id,
      {
        moments: exportMoments(
          activity.now,
          count,
          args.includes('--moments') ? Number(args[args.indexOf('--moments') + 1]) : 1,
        ),
      },
    );
    mark('export done');
    wall = (performance.now() - t) / 1000;
    used = process.cpuUsage(cpu);
    cpuSeconds = (used.user + used.system) / 1e6;
    print(
      `  export: ${view.records} records, ${(view.size / 1e6).toFixed(1)} MB zip, in ${wall.toFixed(2)} s (${cpuSeconds.toFixed(2)} CPU s)`,
    );

    // Verify offline, as `./preau verify` does (no database, no S3).
    t = performance.now();
    cpu = process.cpuUsage();
    mark('verify');
    const report = verifyBundle(bytes);
    mark('verify done');
    wall = (performance.now() - t) / 1000;
    used = process.cpuUsage(cpu);
    cpuSeconds = (used.user + used.system) / 1e6;
    print(
      `  verify: ${report.records} records, ${report.segments} segments, ${report.files} files, ok=${report.ok}, in ${wall.toFixed(2)} s = ${Math.round(report.records / wall)} records/s (${cpuSeconds.toFixed(2)} CPU s = ${Math.round(report.records / cpuSeconds)} records per CPU second)`,
    );
    const keep = args.includes('--bundle') ? args[args.indexOf('--bundle') + 1] : undefined;
    if (keep) writeFileSync(keep, bytes);
  } finally {
    await database.close();
    await s3.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The moments the export rebuilds documents at: the end of the activity, or
 * with --moments N, N moments spread evenly over it (the last one its end).
 */
function exportMoments(end: Date, count: number, n: number): Date[] {
  // The fill's records are a second apart (see fill()).
  const span = count * 1000;
  return Array.from({ length: n }, (_, k) => new Date(end.getTime() - ((n - 1 - k) * span) / n));
}

/** With --marks, prints when a phase starts and ends (to read a CPU profile by phase). */
function mark(what: string) {
  if (process.argv.includes('--marks'))
    process.stdout.write(`  [mark] ${what} at ${process.hrtime.bigint() / 1000n} µs\n`);
}

/** Fills a space's outbox with `count` records of a class's activity; returns the last writer. */
async function fill(db: Database['db'], space: string, count: number): Promise<SampleActivity> {
  // A new pad and board every 1,000 records, as a class would over weeks:
  // Yjs documents stay small, so filling costs the same at the end as at the start.
  const start = Date.now() - (count + 2000) * 1000;
  const students = Array.from({ length: 25 }, (_, i) => `p_bench_${i}`);
  let activity = new SampleActivity(db, space, new Date(start));
  let written = 0;
  while (written < count) {
    const part = Math.floor(written / 1000);
    if (written % 1000 === 0) {
      activity = new SampleActivity(db, space, new Date(start + written * 1000));
      await activity.createDocs('p_bench_teacher', `pad_${part}`, `board_${part}`);
      written += 2;
    }
    await activity.batch(db, async () => {
      for (let n = 0; n < 500 && written < count && written % 1000 !== 0; n++, written++) {
        const who = students[written % students.length]!;
        const r = written % 10;
        if (r < 5) await activity.type(who, `Phrase ${written} écrite par ${who}.`, `pad_${part}`);
        else if (r < 6) await activity.draw(who, `Forme ${written}`, `board_${part}`);
        else if (r < 9) await activity.say(who, `Message ${written} de ${who}`, `m${written}`);
        else await activity.join(who, 'sess_bench');
      }
    });
  }
  return activity;
}

/**
 * A pad's update round trip (one letter typed at a random place, stored with
 * its author and traced in one transaction, as the docs server does before
 * it acknowledges), every 25 ms: first with nothing else running, then while
 * the archiver ingests `count` records of another space. Run after the
 * measured ingest, so that the probe's own work is not counted in it.
 */
async function latency(
  db: Database['db'],
  archivers: { archiver: Archiver; plain: Archiver | undefined },
  space: string,
  count: number,
  print: (line: string) => void,
) {
  const busy = `${space}_busy`;
  await fill(db, busy, count);
  if (archivers.plain) await fill(db, `${busy}_plain`, count);
  const pad = await createDoc(db, {
    space: `${space}_probe`,
    kind: 'pad',
    title: 'Sonde',
    actor: 'p_probe',
  });
  const doc = new Y.Doc();
  const text = doc.getText('probe');
  let update: Uint8Array | undefined;
  doc.on('update', (u: Uint8Array) => {
    update = u;
  });
  const probe = async (stop: { done: boolean }) => {
    const times: number[] = [];
    while (!stop.done) {
      text.insert(Math.floor(Math.random() * (text.length + 1)), 'a');
      const t = performance.now();
      await appendDocUpdate(db, { docId: pad.id, author: 'p_probe', body: update! });
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 25));
    }
    return times;
  };
  const idle = { done: false };
  const quiet = probe(idle);
  await new Promise((r) => setTimeout(r, 5000));
  idle.done = true;
  const without = await quiet;
  const line = (label: string, times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return `${label}: p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${at(1).toFixed(1)} ms (${times.length} updates)`;
  };
  const during = async (archiver: Archiver, of: string, label: string) => {
    const running = { done: false };
    const probing = probe(running);
    const t = performance.now();
    mark(`ingest beside the probe (${label})`);
    const archived = await archiver.archiveSpace(of);
    mark(`ingest beside the probe (${label}) done`);
    const wall = (performance.now() - t) / 1000;
    running.done = true;
    const times = await probing;
    return line(`during an ingest of ${archived} records (${wall.toFixed(1)} s), ${label}`, times);
  };
  print(`  pad update round trip (store + trace, one transaction, every 25 ms):`);
  print(`    ${line('without ingest', without)}`);
  if (archivers.plain)
    print(
      `    ${await during(archivers.plain, `${busy}_plain`, 'archiver in turn with everyone, no pause')}`,
    );
  print(
    `    ${await during(archivers.archiver, busy, 'archiver in the background, pausing between segments')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
