import { catalogue } from './catalogue';

/** Strings of chat messages not acknowledged yet (sending, or refused with a retry). */
export const chatOutbox = catalogue(
  {
    'outbox.sending': 'envoi…',
    'outbox.failed': 'Non envoyé : {reason}',
    'outbox.retry': 'Réessayer',
    'outbox.retryLabel': 'Réessayer d’envoyer « {text} »',
    'outbox.discard': 'Abandonner',
    'outbox.discardLabel': 'Abandonner le message « {text} »',
    'outbox.reason.too_large': 'message trop long',
    'outbox.reason.bad_request': 'message refusé (trop long ou vide)',
    'outbox.reason.forbidden': 'vous ne pouvez pas écrire ici',
    'outbox.reason.chat_muted': 'l’enseignant a coupé votre discussion',
    'outbox.reason.chat_closed': 'la discussion est fermée aux élèves',
    'outbox.reason.rate_limited': 'trop de messages à la suite, attendez un peu',
    'outbox.reason.other': 'erreur ({code})',
  },
  {
    'outbox.sending': 'sending…',
    'outbox.failed': 'Not sent: {reason}',
    'outbox.retry': 'Retry',
    'outbox.retryLabel': 'Retry sending “{text}”',
    'outbox.discard': 'Give up',
    'outbox.discardLabel': 'Give up the message “{text}”',
    'outbox.reason.too_large': 'message too long',
    'outbox.reason.bad_request': 'message refused (too long or empty)',
    'outbox.reason.forbidden': 'you may not write here',
    'outbox.reason.chat_muted': 'the teacher muted your chat',
    'outbox.reason.chat_closed': 'the chat is closed to students',
    'outbox.reason.rate_limited': 'too many messages in a row, wait a little',
    'outbox.reason.other': 'error ({code})',
  },
);
