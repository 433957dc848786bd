/** Escapes text for HTML or SVG content and attribute values. */
export function escapeXml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * A link or image address safe to put in markup: http(s), mailto, or a path
 * on this site. Anything else (javascript:, data:, protocol-relative) is null.
 */
export function safeUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return null;
  const trimmed = value.trim();
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return trimmed;
  try {
    const url = new URL(trimmed);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** A CSS colour as Excalidraw and our palette write them (#hex or a plain name), else null. */
export function safeColor(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/.test(value) ? value : null;
}
