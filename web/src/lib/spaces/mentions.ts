/** The "@…" being typed before the caret, if any: where it starts and what follows the "@". */
export function activeMention(
  text: string,
  caret: number,
): { start: number; query: string } | null {
  if (caret < 0) return null;
  const before = text.slice(0, caret);
  const match = /(^|\s)@([\p{L}'’-]*(?: [\p{L}'’-]*)?)$/u.exec(before);
  if (!match) return null;
  return { start: before.length - match[2]!.length - 1, query: match[2]! };
}

/** The members a text names as "@Display Name", each once, in the order of the members. */
export function mentionsIn(
  text: string,
  members: ReadonlyArray<{ personId: string; displayName: string }>,
): string[] {
  return members.filter((m) => text.includes(`@${m.displayName}`)).map((m) => m.personId);
}
