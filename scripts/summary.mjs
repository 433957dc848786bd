// Prints the one summary line of a test run from vitest's JSON report plus
// the counts of the other checks; exits non-zero when anything failed.
import { readFileSync } from 'node:fs';

const [file, checksPassed = '0', checksFailed = '0'] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that failed without a failed test (it did not load, or a
  // beforeAll threw and its tests were skipped) is counted once.
  for (const suite of report.testResults) {
    const testFailed = suite.assertionResults.some((test) => test.status === 'failed');
    if (suite.status === 'failed' && !testFailed) failed += 1;
  }
} catch {
  failed += 1; // no report at all: the test run itself broke
  console.error('no vitest report: the test run did not complete');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
