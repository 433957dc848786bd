import { catalogue } from './catalogue';

/** Strings of documents kept in the browser (offline editing, local copies). */
export const offline = catalogue(
  {
    'offline.pending.one': '1 modification en attente d’envoi',
    'offline.pending.other': '{count} modifications en attente d’envoi',
    'offline.kept': 'Rien n’est perdu : cet appareil garde une copie du document.',
  },
  {
    'offline.pending.one': '1 change waiting to be sent',
    'offline.pending.other': '{count} changes waiting to be sent',
    'offline.kept': 'Nothing is lost: this device keeps a copy of the document.',
  },
);
