import { PendingAct } from '@preau/protocol';
import { z } from 'zod';

/** Fixed names inside an evidence bundle (segments, documents and transcripts have folders). */
export const BUNDLE = {
  manifest: 'MANIFEST.json',
  signature: 'MANIFEST.sig.json',
  keys: 'keys.json',
  case: 'case.json',
  verification: 'verification.json',
  custody: 'custody.jsonl',
  records: 'records.csv',
  readme: 'LISEZMOI.txt',
} as const;

/** One file listed in a bundle's manifest. */
export const BundleFile = z.object({
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});

/** The bundle's manifest: every other file's hash; signed (MANIFEST.sig.json). */
export const BundleManifest = z.object({
  v: z.literal(1),
  exportId: z.string(),
  caseId: z.string(),
  caseReference: z.string(),
  createdAt: z.string(),
  files: z.array(BundleFile),
  /**
   * Acts in the case's scope still waiting in the trace outbox when the
   * bundle was made, so not in it (absent or empty: the bundle is whole).
   */
  pending: z.array(PendingAct).optional(),
});
export type BundleManifest = z.infer<typeof BundleManifest>;
