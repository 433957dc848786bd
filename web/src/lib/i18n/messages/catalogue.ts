/**
 * Declares a feature's strings: French is the reference; the English
 * catalogue must have exactly the same keys (checked by the type).
 */
export function catalogue<const F extends Record<string, string>>(
  fr: F,
  en: { [K in keyof F]: string },
): { fr: F; en: { [K in keyof F]: string } } {
  return { fr, en };
}
