const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A complete, standalone HTML page around a rendered pad. */
export function padPage(title: string, fragment: string, note: string): string {
  return `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5;padding:0 1rem}
.note{color:#444;border-bottom:1px solid #999;padding-bottom:.5rem}</style></head>
<body><p class="note">${escapeHtml(note)}</p>
<main>${fragment}</main></body></html>
`;
}
