import type { ErrorCode } from '@preau/protocol';
import type { z } from 'zod';

/** A text of the reference, French first, with its English. */
export interface Bilingual {
  fr: string;
  en: string;
}

/** The groups of operations in the reference, in the order they are shown. */
export const API_TAGS = [
  'identity',
  'spaces',
  'membership',
  'content',
  'documents',
  'live',
  'school',
  'directory',
  'archive',
  'privacy',
  'reference',
] as const;
export type ApiTag = (typeof API_TAGS)[number];

/** HTTP methods a `+server.ts` may export and describe. */
export const API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** Who may call an operation, in the words most operations share. */
export const ACCESS = {
  public: { fr: 'Public, sans connexion.', en: 'Public, no sign-in needed.' },
  signedIn: {
    fr: 'Toute personne connectée (pour elle-même).',
    en: 'Anyone signed in (for themself).',
  },
  spaceSeers: {
    fr: 'Qui voit l’espace : ses membres, le personnel de son établissement et les administrateurs (nom et membres, pas le contenu) ; 404 pour un groupe ou un projet qu’on ne voit pas, 403 pour une classe.',
    en: 'Those who see the space: its members, its school’s staff and admins (name and members, not content); 404 for a group or project one may not see, 403 for a class.',
  },
  spaceReaders: {
    fr: 'Qui peut lire l’espace : ses membres (le personnel de l’établissement n’en lit pas le contenu) ; 404 pour un groupe ou un projet qu’on ne voit pas, 403 pour une classe.',
    en: 'Those who may read the space: its members (the school’s staff do not read its content); 404 for a group or project one may not see, 403 for a class.',
  },
  spaceWriters: {
    fr: 'Qui peut écrire dans l’espace (403 ou 404 sinon, comme pour la lecture).',
    en: 'Those who may write in the space (403 or 404 otherwise, as for reading).',
  },
  spaceModerators: {
    fr: 'Qui modère l’espace (enseignants d’une classe, propriétaires d’un groupe).',
    en: 'Those who moderate the space (a class’s teachers, a group’s owners).',
  },
  spaceInviters: {
    fr: 'Qui peut inviter : propriétaires d’un groupe, enseignants d’un projet ; 404 pour les autres.',
    en: 'Those who may invite: a group’s owners, a project’s teachers; 404 for outsiders.',
  },
  schoolStaff: {
    fr: 'Le personnel de l’établissement (CPE, direction) et les administrateurs.',
    en: 'The school’s staff (CPE, head) and admins.',
  },
  admins: {
    fr: 'Administrateurs de l’annuaire (403 sinon).',
    en: 'Directory admins (403 otherwise).',
  },
  archivists: { fr: 'Archivistes (403 sinon).', en: 'Archivists (403 otherwise).' },
  archivistsAudited: {
    fr: 'Archivistes (403 sinon) ; l’acte est inscrit au journal d’audit.',
    en: 'Archivists (403 otherwise); the act is written to the audit log.',
  },
  archivistsDpo: {
    fr: 'Archivistes et délégué·e à la protection des données (403 sinon).',
    en: 'Archivists and the data protection officer (403 otherwise).',
  },
  adminsDpo: {
    fr: 'Administrateurs et délégué·e à la protection des données (403 sinon).',
    en: 'Admins and the data protection officer (403 otherwise).',
  },
  dpo: {
    fr: 'Délégué·e à la protection des données (403 sinon) ; journalisé.',
    en: 'The data protection officer (403 otherwise); audited.',
  },
} as const satisfies Record<string, Bilingual>;
export type AccessKey = keyof typeof ACCESS;

/**
 * One operation of the HTTP API, described with the same zod schemas its
 * handler parses with. Path parameters come from the route's folder names.
 */
export interface ApiOperationDoc {
  summary: Bilingual;
  tag: ApiTag;
  /** Who may call it: a shared phrase of ACCESS, or words of its own. */
  access: AccessKey | Bilingual;
  /** What each path parameter names, when its name does not say it. */
  params?: Record<string, Bilingual>;
  /** The query string's schema (each key a parameter). */
  query?: z.ZodObject;
  /** The JSON body's schema. */
  body?: z.ZodType;
  /** A raw (non-JSON) request body: its content types, and what it is. */
  upload?: { types: readonly string[]; what: Bilingual };
  /** The `data` of `{ ok: true, data }`, or the whole body when `raw` names its type. */
  response: z.ZodType;
  /** The success answer is not the JSON envelope but this content type (a file, a stream…). */
  raw?: string;
  /** The success status (200 unless said). */
  status?: 200 | 201;
  /** Errors of its own, beyond what every call may meet (401, 403 for CSRF, 400/413 for input). */
  errors?: readonly ErrorCode[];
}

/** What a `+server.ts` exports as `_api`: each of its methods, described. */
export type ApiRouteDoc = Partial<Record<ApiMethod, ApiOperationDoc>>;

/**
 * Declares a route's description (exported as `_api` from its `+server.ts`,
 * which SvelteKit allows for names starting with `_`); typed so that a
 * description cannot miss its summary, tag, access or response.
 */
export function describeRoute<const T extends ApiRouteDoc>(doc: T): T {
  return doc;
}
