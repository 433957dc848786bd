import { readFileSync } from 'node:fs';
import { ArchivePublicKey } from '@preau/protocol';
import { z } from 'zod';
import { describeProblem, verifyBundle } from './verifyBundle';

/**
 * Verifies a Préau evidence bundle offline:
 *   npx tsx storage/src/archive/verify-cli.ts bundle.zip [--key keys.json] [--json]
 * (also `./preau verify bundle.zip`). Exit status 0 when everything verifies
 * against the keys given, 3 when the bundle is consistent but no keys were
 * given (its signer is unverified), 1 when something was altered (the first
 * broken place is named), 2 on usage errors.
 */
function main(argv: string[]): number {
  const args = [...argv];
  const json = take(args, '--json');
  const keyFile = option(args, '--key');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file || args.some((a) => a.startsWith('--'))) {
    process.stderr.write('usage: verify BUNDLE.zip [--key KEYS.json] [--json]\n');
    return 2;
  }
  let bytes: Uint8Array;
  let trustedKeys: ArchivePublicKey[] | undefined;
  try {
    bytes = new Uint8Array(readFileSync(file));
    if (keyFile) {
      const parsed = z
        .union([z.object({ keys: z.array(ArchivePublicKey) }), z.array(ArchivePublicKey)])
        .parse(JSON.parse(readFileSync(keyFile, 'utf8')));
      trustedKeys = Array.isArray(parsed) ? parsed : parsed.keys;
    }
  } catch (err) {
    process.stderr.write(`cannot read input: ${(err as Error).message}\n`);
    return 2;
  }
  const report = verifyBundle(bytes, { trustedKeys });
  const status = EXIT[report.verdict];
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return status;
  }
  const out = [
    `Préau evidence bundle ${file}`,
    `  case ${report.caseReference ?? '?'} · export ${report.exportId ?? '?'} · created ${report.createdAt ?? '?'}`,
    `  signed by key ${report.kid ?? '?'}${report.fingerprint ? `, fingerprint ${report.fingerprint}` : ''}`,
    `  ${report.files} files · ${report.segments} segments · ${report.records} records (${report.deleted} deleted) · ${report.custodyEntries} custody entries · ${report.images} document images`,
  ];
  if (report.pending > 0) {
    out.push(
      `  INCOMPLETE: ${report.pending} act(s) in scope were still waiting to be archived when it was made`,
      '  (named in MANIFEST.json, "pending"); export the case again to include them.',
    );
  }
  switch (report.verdict) {
    case 'verified':
      out.push(
        'OK: every hash, every chain and every signature verifies, signed by one of the keys given.',
      );
      break;
    case 'unverified-signer':
      out.push(
        'CONSISTENT, SIGNER UNVERIFIED: every hash, chain and signature agrees with the key the',
        'bundle carries, but nothing proves that key is Préau’s. Fetch the keys from Préau',
        '(GET /api/archive/keys, or compare the fingerprint above with the one Préau shows) and',
        'run again with --key keys.json.',
      );
      break;
    case 'failed': {
      const [first, ...rest] = report.problems;
      out.push(`FAILED: first broken place: ${describeProblem(first!)}`);
      for (const p of rest.slice(0, 20)) out.push(`  also: ${describeProblem(p)}`);
      if (rest.length > 20) out.push(`  … and ${rest.length - 20} more`);
      break;
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return status;
}

/** Exit status by verdict: each outcome has its own, so scripts can tell them apart. */
const EXIT = { verified: 0, failed: 1, 'unverified-signer': 3 } as const;

function take(args: string[], flag: string): boolean {
  const i = args.indexOf(flag);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function option(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
}

process.exitCode = main(process.argv.slice(2));
