import { type Expression, type RawBuilder, sql } from 'kysely';

// Searching people and places by what someone types: accents, case and
// apostrophes aside, every word contained. The directory's invitation search
// and the archive's name chooser both go through here.

const ACCENTED = 'àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝ’';
const PLAIN = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuy'";

/**
 * A text lowered and stripped of accents in SQL, the same on PostgreSQL and
 * PGlite whatever the database locale (`lower` leaves É alone under C). The
 * letters are written into the statement (not bound), so that PostgreSQL can
 * match it against an index built on the same expression.
 */
export function folded(text: Expression<string> | RawBuilder<string>): RawBuilder<string> {
  return sql<string>`lower(translate(${text}, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}))`;
}

/**
 * A person's folded name, as `person_name_search` (migration 0510) indexes
 * it with trigrams: keep both the same, or the index is not used.
 */
export function foldedPersonName(): RawBuilder<string> {
  return folded(sql<string>`person.given_name || ' ' || person.family_name`);
}

/** The words of what is typed, lowered and without accents (`Léa  Ber` → `lea`, `ber`). */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replaceAll('’', "'")
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 6);
}

/** A LIKE pattern holding `word` anywhere, its wildcards taken literally. */
export const likeOf = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
