// A version of a long-lived pad rebuilt for its history page (run: `npx tsx
// load-tests/history-render.ts`; it prints figures and asserts nothing but
// "the same page"). The history page and its timeslider rebuild the version
// asked for from the stored snapshot before it and the updates after that
// snapshot, then render it as HTML with its authors' colours
// (`web/server/app/documents.ts`, `#render`), on the web server's main
// thread: in the one-port server, every page and class waits meanwhile.
// Two ways, alternated, in one process:
//  - the reference: the parts merged into one state (`mergeParts`), then a
//    document parsed from it (`docFromState`), as before 2026-12-06;
//  - Préau now: the parts applied to one document in one transaction
//    (`docFromParts`), the state encoded only for a restore.
// Options (environment): HISTORY (100000 one-letter updates typed at random
// places, the worst case for Yjs), TAIL (499 updates after the snapshot),
// RUNS (5).

import { docFromParts, docFromState, mergeParts, renderPadHtml } from '@preau/protocol/docs-model';
import { padHistory } from './support/history';

const HISTORY = Number(process.env.HISTORY ?? 100_000);
const TAIL = Number(process.env.TAIL ?? 499);
const RUNS = Number(process.env.RUNS ?? 5);

const authorOf = (client: number) => ({ id: `p${client % 7}`, color: '#1e6fd9' });

/** Milliseconds of this thread's CPU that `work` takes, and its result. */
function timed<T>(work: () => T): [ms: number, result: T] {
  const start = process.threadCpuUsage();
  const result = work();
  const used = process.threadCpuUsage(start);
  return [(used.user + used.system) / 1000, result];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main() {
  const updates = padHistory(HISTORY);
  const snapshot = mergeParts(null, updates.slice(0, HISTORY - TAIL));
  const tail = updates.slice(HISTORY - TAIL);
  console.log(
    `history render: a pad of ${HISTORY} updates, snapshot ${(snapshot.byteLength / 1024).toFixed(0)} KB + ${TAIL} after it, ${RUNS} runs each`,
  );
  const before = { build: [] as number[], render: [] as number[] };
  const now = { build: [] as number[], render: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    const [b1, merged] = timed(() => docFromState(mergeParts(snapshot, tail)));
    const [r1, html1] = timed(() => renderPadHtml(merged, { authorOf }));
    merged.destroy();
    const [b2, built] = timed(() => docFromParts(snapshot, tail));
    const [r2, html2] = timed(() => renderPadHtml(built, { authorOf }));
    built.destroy();
    if (html1 !== html2) throw new Error('the two ways rendered different pages');
    before.build.push(b1);
    before.render.push(r1);
    now.build.push(b2);
    now.render.push(r2);
  }
  const row = (label: string, f: typeof now) =>
    `| ${label} | ${median(f.build).toFixed(0)} | ${median(f.render).toFixed(0)} | ${(median(f.build) + median(f.render)).toFixed(0)} |`;
  console.log('| way | build ms (median CPU) | render ms | total ms |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(row('merged, then parsed (reference)', before));
  console.log(row("parts applied at once (Préau's)", now));
  const total = (f: typeof now) => median(f.build) + median(f.render);
  console.log(`| Préau / reference | | | ${(total(now) / total(before)).toFixed(2)} |`);
}

main();
