/**
 * Telling people apart who share a name: two « Emma Durand » in a roster, a
 * chat or an attendance list must not read as one person. Only homonyms get a
 * tag; everyone else shows their name alone.
 */

/** A member of the class as the names need them. */
export interface NamedMember {
  id: string;
  name: string;
  login: string;
  /** Their class (or classes), when the space spans several. */
  classes?: string;
}

/** What the live pages show for one person: the name and, for a homonym, what tells them apart. */
export interface ShownName {
  name: string;
  tag?: string;
}

/** Names compared as people read them: case, accents and spacing aside. */
function sameNameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('fr')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Initials of a login, keeping its digits: `eleve.emma.durand2` → `EED2`. */
export function loginInitials(login: string): string {
  return login
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((part) => (part[0] ?? '').toLocaleUpperCase('fr') + (/\d+$/.exec(part)?.[0] ?? ''))
    .join('');
}

/**
 * Tags for the homonyms among `members`: their class when that differs
 * between them, else their login's initials, else (initials colliding) the
 * login itself, which is unique.
 */
export function tellApart(members: readonly NamedMember[]): Map<string, string> {
  const groups = new Map<string, NamedMember[]>();
  for (const m of members) {
    const key = sameNameKey(m.name);
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const tags = new Map<string, string>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const distinct = <T>(values: T[]) => new Set(values).size === values.length;
    const classes = group.map((m) => m.classes ?? '');
    const initials = group.map((m) => loginInitials(m.login));
    const pick =
      classes.every(Boolean) && distinct(classes)
        ? classes
        : distinct(initials)
          ? initials
          : group.map((m) => m.login);
    for (const [i, m] of group.entries()) tags.set(m.id, pick[i]!);
  }
  return tags;
}

/** A name as one line of text: `Emma Durand (EED2)` for a homonym, else the name. */
export function nameText(shown: ShownName): string {
  return shown.tag ? `${shown.name} (${shown.tag})` : shown.name;
}

/**
 * How to name a participant: from the class's roster (which knows the
 * homonyms), else the name their token carried.
 */
export function shownName(
  roster: Readonly<Record<string, ShownName>>,
  id: string,
  fallback: string,
): ShownName {
  return roster[id] ?? { name: fallback };
}
