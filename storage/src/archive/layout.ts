/**
 * Where the archive keeps its objects (one bucket, these prefixes):
 *
 *   archive/spaces/<space>/segments/<first>-<last>.jsonl          records, one per line
 *   archive/spaces/<space>/segments/<first>-<last>.manifest.json  its signed manifest
 *   archive/exports/<case>/<export>.zip                           evidence bundles
 *
 * Sequence numbers are written on 12 digits so keys sort in chain order. A
 * segment's key is fixed by its sequence numbers: writing it again after a
 * crash replaces it, it never duplicates it.
 */
export const ARCHIVE_PREFIX = 'archive/';

const SEQ_DIGITS = 12;

function pad(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}

/** The folder of a space's segments. */
export function segmentsPrefix(space: string): string {
  return `${ARCHIVE_PREFIX}spaces/${space}/segments/`;
}

/** The key prefix shared by every segment starting at `first` (whatever its last). */
export function segmentStartPrefix(space: string, first: number): string {
  return `${segmentsPrefix(space)}${pad(first)}-`;
}

/** The key of a segment's records. */
export function segmentKey(space: string, first: number, last: number): string {
  return `${segmentStartPrefix(space, first)}${pad(last)}.jsonl`;
}

/** The key of a segment's signed manifest. */
export function manifestKey(space: string, first: number, last: number): string {
  return `${segmentStartPrefix(space, first)}${pad(last)}.manifest.json`;
}

/** The first and last sequence numbers named by a segment or manifest key, or null. */
export function parseSegmentKey(key: string): { first: number; last: number } | null {
  const match = /(\d{12})-(\d{12})\.(jsonl|manifest\.json)$/.exec(key);
  return match ? { first: Number(match[1]), last: Number(match[2]) } : null;
}

/** The key of an exported evidence bundle. */
export function exportKey(caseId: string, exportId: string): string {
  return `${ARCHIVE_PREFIX}exports/${caseId}/${exportId}.zip`;
}

/** The name of a segment inside a bundle: `segments/<space>/<first>-<last>.jsonl`. */
export function bundleSegmentPath(space: string, first: number, last: number): string {
  return `segments/${space}/${pad(first)}-${pad(last)}.jsonl`;
}

/** The name of a segment's manifest inside a bundle. */
export function bundleManifestPath(space: string, first: number, last: number): string {
  return `segments/${space}/${pad(first)}-${pad(last)}.manifest.json`;
}

const IMAGE_EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Where an image of a pad or a board goes inside a bundle: beside the document's renderings. */
export function bundleDocImagePath(
  space: string,
  docId: string,
  fileId: string,
  mimeType: string,
): string {
  return `documents/${space}/${docId}/images/${fileId}.${IMAGE_EXTENSIONS[mimeType] ?? 'bin'}`;
}

/** The document and file ids of a bundle path made by `bundleDocImagePath`, or null. */
export function parseBundleDocImagePath(
  path: string,
): { space: string; docId: string; fileId: string } | null {
  const m = /^documents\/([^/]+)\/([^/]+)\/images\/([^/.]+)\.[a-z]+$/.exec(path);
  return m ? { space: m[1]!, docId: m[2]!, fileId: m[3]! } : null;
}
