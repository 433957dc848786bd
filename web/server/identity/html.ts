/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Tags a template so every interpolated value is escaped unless wrapped by `raw`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += renderValue(v) + strings[i + 1]!;
  });
  return new Raw(out);
}

/** Already-safe HTML. */
export class Raw {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

function renderValue(v: unknown): string {
  if (v instanceof Raw) return v.value;
  if (Array.isArray(v)) return v.map(renderValue).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

/** A whole page of the demo identity provider: French, landmarks, readable on a phone. */
export function providerPage(title: string, body: Raw): string {
  return html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — fournisseur d’identité de démonstration</title>
<style>
  :root { font-family: system-ui, "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff; line-height: 1.5; }
  body { margin: 0; }
  header { background: #5b2a86; color: #fff; padding: 0.75rem 1rem; }
  header p { margin: 0; font-weight: 700; }
  main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.15rem; margin-top: 1.5rem; }
  ul.accounts { list-style: none; padding: 0; display: grid; gap: 0.5rem; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }
  button { font: inherit; cursor: pointer; border: 2px solid #5b2a86; background: #fff; color: #1a1a1a; border-radius: 0.4rem; padding: 0.5rem 0.75rem; text-align: left; width: 100%; min-height: 2.75rem; }
  button:hover { background: #f1eaf7; }
  button.primary { background: #5b2a86; color: #fff; width: auto; }
  :focus-visible { outline: 3px solid #b35900; outline-offset: 2px; }
  .who { display: block; font-weight: 700; }
  .what { display: block; font-size: 0.9rem; color: #4a4a4a; }
  input { font: inherit; padding: 0.5rem; border: 2px solid #4a4a4a; border-radius: 0.4rem; }
  .note { background: #fff4e5; border-left: 4px solid #b35900; padding: 0.5rem 0.75rem; }
</style>
</head>
<body>
<header><p>Fournisseur d’identité de démonstration</p></header>
<main id="contenu">
${body}
</main>
</body>
</html>`.value;
}
