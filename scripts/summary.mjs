// Prints the one summary line of a test run from vitest's JSON report plus
// the counts of the other checks; exits non-zero when anything failed.
//
//   node scripts/summary.mjs REPORT PASSED FAILED [RERUN_REPORT]
//   node scripts/summary.mjs --crashed REPORT STDERR_LOG
//
// `--crashed` prints, one per line, the test files whose worker process died
// by a signal (a crash of Node itself, such as a V8 fatal error: no test
// failed, the file stopped) and, on standard error, what the dead process
// printed about it. They are re-run alone once; with RERUN_REPORT their
// results are those of the re-run, and the line says so.
import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';

/** A worker that dies is reported by vitest with the signal and its file. */
const DIED = /Worker exited unexpectedly with signal (\w+) .*? while running test file (\S+)/g;
/** What Node and V8 print when the process itself fails (a fatal error, a failed check). */
const FATAL = /Fatal error|FATAL ERROR|Check failed|Native stack|Fatal process|Fatal JavaScript/;
/** More crashed files than this is not a crash to retry but a broken run. */
const MOST_RERUN = 3;

const readReport = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Files that stopped without a failed test (did not load, a hook threw, the worker died). */
function stoppedSuites(report) {
  return report.testResults.filter(
    (suite) =>
      suite.status === 'failed' && !suite.assertionResults.some((test) => test.status === 'failed'),
  );
}

if (process.argv[2] === '--crashed') {
  const [, , , reportFile, stderrFile] = process.argv;
  let report;
  let stderr;
  try {
    report = readReport(reportFile);
    stderr = stripVTControlCharacters(readFileSync(stderrFile, 'utf8'));
  } catch {
    process.exit(0); // no report: nothing to re-run, the summary says so
  }
  const stopped = new Set(stoppedSuites(report).map((suite) => suite.name));
  const died = new Map();
  for (const [, signal, file] of stderr.matchAll(DIED)) {
    if (stopped.has(file)) died.set(file, signal);
  }
  if (died.size === 0 || died.size > MOST_RERUN) process.exit(0);
  const lines = stderr.split('\n');
  const near = new Set(
    lines.flatMap((line, i) => (FATAL.test(line) ? [i, i + 1, i + 2, i + 3, i + 4, i + 5] : [])),
  );
  const fatal = [...near].filter((i) => i < lines.length).map((i) => lines[i]);
  for (const [file, signal] of died) {
    console.error(
      `the worker process running ${file} died by ${signal}: no test failed, the file stopped`,
    );
  }
  console.error(
    fatal.length > 0
      ? `what the dead process printed:\n${fatal.slice(0, 60).join('\n')}`
      : 'the dead process printed no fatal error message',
  );
  for (const file of died.keys()) console.log(file);
  process.exit(0);
}

const [file, checksPassed = '0', checksFailed = '0', rerunFile] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);
try {
  const report = readReport(file);
  const rerun = rerunFile ? readReport(rerunFile) : { testResults: [] };
  const rerunNames = new Set(rerun.testResults.map((suite) => suite.name));
  // A file re-run after its worker crashed counts by its re-run only.
  const suites = [
    ...report.testResults.filter((suite) => !rerunNames.has(suite.name)),
    ...rerun.testResults,
  ];
  for (const suite of suites) {
    for (const test of suite.assertionResults) {
      if (test.status === 'passed') passed += 1;
      else if (test.status === 'failed') failed += 1;
    }
  }
  // A suite that failed without a failed test (it did not load, a beforeAll
  // threw and its tests were skipped, its worker died) is counted once.
  failed += stoppedSuites({ testResults: suites }).length;
  for (const suite of rerun.testResults) {
    const count = (status) => suite.assertionResults.filter((t) => t.status === status).length;
    console.error(
      `re-run alone after its worker crashed: ${suite.name}: ${count('passed')} passed, ${count('failed')} failed`,
    );
  }
} catch {
  failed += 1; // no report at all: the test run itself broke
  console.error('no vitest report: the test run did not complete');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
