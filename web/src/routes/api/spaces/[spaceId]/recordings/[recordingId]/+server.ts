import { z } from 'zod';
import { fail, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * `GET /api/spaces/[spaceId]/recordings/[recordingId]`: the recording's
 * video, played in the page; a `range` request gets its part (206), so that
 * a player can seek.
 */
export const GET: RequestHandler = async ({ params, request, locals }) => {
  try {
    const { recording, body } = await locals.services.recordings.play(
      requireUser(locals),
      params.spaceId,
      params.recordingId,
    );
    const headers: Record<string, string> = {
      'content-type': recording.mimeType,
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    };
    const range = parseRange(request.headers.get('range'), body.byteLength);
    if (range === 'unsatisfiable') {
      return new Response(null, {
        status: 416,
        headers: { ...headers, 'content-range': `bytes */${body.byteLength}` },
      });
    }
    if (range) {
      const part = body.subarray(range.start, range.end + 1);
      return new Response(part as Uint8Array<ArrayBuffer>, {
        status: 206,
        headers: {
          ...headers,
          'content-length': String(part.byteLength),
          'content-range': `bytes ${range.start}-${range.end}/${body.byteLength}`,
        },
      });
    }
    return new Response(body as Uint8Array<ArrayBuffer>, {
      headers: { ...headers, 'content-length': String(body.byteLength) },
    });
  } catch (err) {
    return fail(err);
  }
};

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'La vidéo d’un enregistrement (WebM : VP8 et Opus) ; un en-tête range en obtient une partie (206) pour qu’un lecteur se déplace dans la vidéo (le corps est la vidéo)',
      en: 'A saved recording’s video (WebM: VP8 and Opus); a range header gets its part (206) so that a player can seek (the body is the video)',
    },
    tag: 'live',
    access: 'spaceReaders',
    raw: 'video/webm',
    response: z.string().describe('the video’s bytes'),
    errors: ['forbidden', 'not_found'],
  },
});

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; null for none or anything else. */
function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
