import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@preau/protocol/server';
import {
  Archiver,
  directoryNames,
  exportCase,
  loadArchiveSigner,
  openCase,
  openDatabase,
  placeHold,
  S3ObjectStore,
  SampleActivity,
  startLocalS3,
  verifyBundle,
} from '@preau/storage';
import { startPostgres } from '../tests/support/postgres';

/**
 * The archive's benchmark (a script, not a test): records archived per
 * second and per CPU second, the export of a 100,000-record case, and the
 * offline verification of that bundle.
 *
 *   npx tsx load-tests/archive-bench.ts [--records 100000] [--postgres]
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
  const database = await openDatabase(pg ? { url: pg.url } : { memory: true }, silentLogger());
  const { db } = database;
  const space = 'class_0350042K_bench';
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(
    `archive benchmark: ${count} records, ${pg ? 'PostgreSQL' : 'PGlite'}, local S3, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  );

  try {
    // Fill the outbox the way the features do: pads, boards, chat, sessions.
    let t = performance.now();
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
          if (r < 5)
            await activity.type(who, `Phrase ${written} écrite par ${who}.`, `pad_${part}`);
          else if (r < 6) await activity.draw(who, `Forme ${written}`, `board_${part}`);
          else if (r < 9) await activity.say(who, `Message ${written} de ${who}`, `m${written}`);
          else await activity.join(who, 'sess_bench');
        }
      });
    }
    print(
      `  outbox filled: ${count} records in ${((performance.now() - t) / 1000).toFixed(1)} s (recordTrace, 500 per transaction)`,
    );

    // Ingest: outbox → signed segments in S3 + index, as the background archiver does.
    const signer = await loadArchiveSigner(db);
    const archiver = new Archiver({ db, objects, signer, log: silentLogger(), segmentMax: 1000 });
    t = performance.now();
    let cpu = process.cpuUsage();
    const archived = await archiver.drain();
    let wall = (performance.now() - t) / 1000;
    let used = process.cpuUsage(cpu);
    let cpuSeconds = (used.user + used.system) / 1e6;
    print(
      `  ingest: ${archived} records in ${wall.toFixed(2)} s = ${Math.round(archived / wall)} records/s (wall); ${Math.round(archived / cpuSeconds)} records per CPU second of this process${pg ? ' (PostgreSQL works in its own processes)' : ' (PGlite and S3 included)'}`,
    );
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
    const { view, bytes } = await exportCase(
      { db, objects, signer, names: directoryNames(db) },
      who,
      kase.id,
      { moments: [activity.now] },
    );
    wall = (performance.now() - t) / 1000;
    used = process.cpuUsage(cpu);
    cpuSeconds = (used.user + used.system) / 1e6;
    print(
      `  export: ${view.records} records, ${(view.size / 1e6).toFixed(1)} MB zip, in ${wall.toFixed(2)} s (${cpuSeconds.toFixed(2)} CPU s)`,
    );

    // Verify offline, as `./preau verify` does (no database, no S3).
    t = performance.now();
    const report = verifyBundle(bytes);
    wall = (performance.now() - t) / 1000;
    print(
      `  verify: ${report.records} records, ${report.segments} segments, ${report.files} files, ok=${report.ok}, in ${wall.toFixed(2)} s = ${Math.round(report.records / wall)} records/s`,
    );
  } finally {
    await database.close();
    await s3.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
