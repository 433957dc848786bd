/**
 * Names as lists show them: a hint (a login, a class) goes only beside a
 * name that two people share, "Léa Bernard (lea.bernard2)", and everyone
 * else keeps a plain name.
 */

/** The names that two or more of `people` share (compared without case or outer spaces). */
export function sharedNames(people: readonly { name: string }[]): Set<string> {
  const key = (name: string) => name.trim().toLocaleLowerCase('fr');
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const { name } of people) {
    if (seen.has(key(name))) shared.add(key(name));
    seen.add(key(name));
  }
  return new Set(people.map((p) => p.name).filter((n) => shared.has(key(n))));
}
