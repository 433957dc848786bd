import type { Result, SpaceFileView } from '@preau/protocol';
import { csrfToken } from '#lib/api';

/**
 * Uploads a file to a space as the raw request body, reporting progress
 * (fetch cannot tell how much of a body has gone); resolves with the API's
 * answer, or an `unavailable` error when the network failed.
 */
export function uploadFile(
  spaceId: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Result<SpaceFileView>> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(
      'POST',
      `/api/spaces/${encodeURIComponent(spaceId)}/files?name=${encodeURIComponent(file.name)}`,
    );
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('x-preau-csrf', csrfToken());
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      try {
        resolve(JSON.parse(xhr.responseText) as Result<SpaceFileView>);
      } catch {
        resolve({
          ok: false,
          error: { code: xhr.status === 413 ? 'too_large' : 'unavailable' },
        });
      }
    };
    xhr.onerror = () => resolve({ ok: false, error: { code: 'unavailable' } });
    xhr.send(file);
  });
}

/** A size as people read it, in the page's language. */
export function sizeParts(bytes: number): { unit: 'b' | 'kb' | 'mb'; n: string } {
  if (bytes < 1024) return { unit: 'b', n: String(bytes) };
  if (bytes < 1024 * 1024) return { unit: 'kb', n: (bytes / 1024).toFixed(0) };
  return { unit: 'mb', n: (bytes / (1024 * 1024)).toFixed(1) };
}
