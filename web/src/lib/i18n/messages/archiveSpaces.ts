import { catalogue } from './catalogue';

/**
 * Strings for reading the archive of spaces beyond classes (part of the
 * archive catalogue): kinds of spaces, roles in them, and what the records
 * of creating, inviting, joining, suspending, sharing files and reporting say.
 */
export const archiveSpaces = catalogue(
  {
    'archive.spaceKind.teaching': 'groupe d’enseignement',
    'archive.spaceRole.owner': 'propriétaire',
    'archive.spaceRole.coowner': 'copropriétaire',
    'archive.spaceRole.member': 'membre',
    'archive.spaceState.active': 'actif',
    'archive.spaceState.archived': 'archivé',
    'archive.spaceState.suspended': 'suspendu',
    'archive.content.spaceCreated': '{kind} « {name} » créé',
    'archive.content.spaceState': '{from} → {to}',
    'archive.content.classAdded': 'classe {class} ajoutée',
    'archive.content.invited': 'invitation de {person}',
    'archive.content.accepted': 'invitation acceptée',
    'archive.content.declined': 'invitation déclinée',
    'archive.content.file': 'fichier « {name} »',
    'archive.content.guest': 'invité·e {person}, jusqu’au {until}',
    'archive.content.report': 'signalement ({target}) : {reason}',
    'archive.reportTarget.message': 'message',
    'archive.reportTarget.doc': 'document',
    'archive.reportTarget.file': 'fichier',
  },
  {
    'archive.spaceKind.teaching': 'teaching group',
    'archive.spaceRole.owner': 'owner',
    'archive.spaceRole.coowner': 'co-owner',
    'archive.spaceRole.member': 'member',
    'archive.spaceState.active': 'active',
    'archive.spaceState.archived': 'archived',
    'archive.spaceState.suspended': 'suspended',
    'archive.content.spaceCreated': '{kind} “{name}” created',
    'archive.content.spaceState': '{from} → {to}',
    'archive.content.classAdded': 'class {class} added',
    'archive.content.invited': 'invited {person}',
    'archive.content.accepted': 'invitation accepted',
    'archive.content.declined': 'invitation declined',
    'archive.content.file': 'file “{name}”',
    'archive.content.guest': 'guest {person}, until {until}',
    'archive.content.report': 'report ({target}): {reason}',
    'archive.reportTarget.message': 'message',
    'archive.reportTarget.doc': 'document',
    'archive.reportTarget.file': 'file',
  },
);
