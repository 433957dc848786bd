import type { Result } from '@preau/protocol';
import { csrfToken } from '#lib/api';

/** Uploads a file as the raw request body (with its type) to a Préau API route. */
export async function callUpload<T>(path: string, file: Blob): Promise<Result<T>> {
  const response = await fetch(path, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': file.type || 'application/octet-stream',
      'x-preau-csrf': csrfToken(),
    },
    body: file,
  });
  try {
    return (await response.json()) as Result<T>;
  } catch {
    return { ok: false, error: { code: response.status >= 500 ? 'unavailable' : 'internal' } };
  }
}

/** Reads a blob as a data: URL (what Excalidraw keeps for images in memory). */
export function blobToDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** The bytes of a data: URL as a Blob. */
export async function dataUrlToBlob(dataUrl: string): Promise<Blob> {
  // Decoded here rather than fetched: the pages' CSP lets `fetch` reach Préau only.
  const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(dataUrl);
  if (!match) throw new Error('not a data: URL');
  const [, type = '', base64, data = ''] = match;
  const bytes = base64
    ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
    : new TextEncoder().encode(decodeURIComponent(data));
  return new Blob([bytes], { type: type || 'application/octet-stream' });
}
