import { z } from 'zod';
import { PersonId, SpaceId, Uai } from './ids';
import { SpaceKind } from './spaces';
import { PlatformRole, ProfileKind } from './tokens';

// What the archivist reads beside the raw records: spaces and people named
// from the directory at read time, and a human account of what a document
// update changed. Traces never store any of it; it is computed when read.

/** A school as the archive names it beside a space or a person. */
export const SchoolRef = z.object({ uai: Uai, name: z.string() });
export type SchoolRef = z.infer<typeof SchoolRef>;

/**
 * A space named for people: a class today, a group or a project later
 * (a project may span several schools, hence a list).
 */
export const SpaceLabel = z.object({
  id: SpaceId,
  kind: SpaceKind,
  name: z.string(),
  schools: z.array(SchoolRef),
});
export type SpaceLabel = z.infer<typeof SpaceLabel>;

/** A person named for people, with the schools where they have a profile. */
export const PersonLabel = z.object({
  id: PersonId,
  name: z.string(),
  schools: z.array(SchoolRef.extend({ kind: ProfileKind })),
  roles: z.array(PlatformRole),
});
export type PersonLabel = z.infer<typeof PersonLabel>;

/** `GET /api/archive/directory?q=&kind=`: spaces and people whose names match, as one types. */
export const DirectoryQuery = z.object({
  q: z.string().trim().min(1).max(80),
  kind: z.enum(['space', 'person', 'any']).default('any'),
  limit: z.coerce.number().int().min(1).max(50).default(12),
});
export type DirectoryQuery = z.output<typeof DirectoryQuery>;

/** What the directory search answers. */
export const DirectoryMatches = z.object({
  spaces: z.array(SpaceLabel),
  persons: z.array(PersonLabel),
});
export type DirectoryMatches = z.infer<typeof DirectoryMatches>;

/**
 * What a `doc.update` changed, rebuilt from the archived updates before it:
 * for a pad, the text inserted and deleted (counts and excerpts); for a
 * board, the elements added, changed and removed (with their labels).
 * `title` is the document's title at the time of the update.
 */
export const DocChange = z.discriminatedUnion('doc', [
  z.object({
    doc: z.literal('pad'),
    title: z.string().nullable(),
    inserted: z.number().int().nonnegative(),
    deleted: z.number().int().nonnegative(),
    insertedText: z.string(),
    deletedText: z.string(),
  }),
  z.object({
    doc: z.literal('board'),
    title: z.string().nullable(),
    added: z.number().int().nonnegative(),
    changed: z.number().int().nonnegative(),
    removed: z.number().int().nonnegative(),
    /** Kinds and texts of the elements touched (`text: Donjon`, `rectangle`), a few at most. */
    elements: z.array(z.string()),
  }),
  /** The update could not be rebuilt (an earlier update's content was deleted). */
  z.object({ doc: z.literal('unknown'), title: z.string().nullable() }),
]);
export type DocChange = z.infer<typeof DocChange>;
