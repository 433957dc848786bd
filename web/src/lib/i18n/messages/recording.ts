import { catalogue } from './catalogue';

/** Strings of live-session recordings: the indicator, the teacher's control, the list. */
export const recording = catalogue(
  {
    'recording.on': 'Enregistrement en cours',
    'recording.on.since': 'depuis {time}',
    'recording.announce.started': 'Le cours est maintenant enregistré.',
    'recording.announce.stopped': 'L’enregistrement du cours est arrêté.',
    'recording.start': 'Démarrer l’enregistrement',
    'recording.stop': 'Arrêter l’enregistrement',
    'recording.saving': 'Enregistrement en cours de sauvegarde…',
    'recording.saved':
      'L’enregistrement est sauvegardé : il figure dans la liste des enregistrements.',
    'recording.startConfirm':
      'Enregistrer le cours ? Tous les participants verront qu’il est enregistré : le son de chacun et l’écran partagé (ou la caméra de l’enseignant) seront gardés.',
    'recording.failed':
      'L’enregistrement s’est arrêté à cause d’une erreur ({code}). Ce qui a été enregistré jusque-là est gardé.',
    'recording.prejoin':
      'Ce cours est en cours d’enregistrement : votre voix et votre image peuvent être enregistrées si vous les activez.',
    'recording.list.title': 'Enregistrements',
    'recording.list.none': 'Aucun enregistrement pour le moment.',
    'recording.list.item': '{title} — {date}, {duration}',
    'recording.list.by': 'enregistré par {name}',
    'recording.list.play': 'Lire l’enregistrement « {title} » du {date}',
    'recording.list.download': 'Télécharger',
    'recording.duration': '{minutes} min {seconds} s',
  },
  {
    'recording.on': 'Recording',
    'recording.on.since': 'since {time}',
    'recording.announce.started': 'The class is now being recorded.',
    'recording.announce.stopped': 'The class recording has stopped.',
    'recording.start': 'Start recording',
    'recording.stop': 'Stop recording',
    'recording.saving': 'Saving the recording…',
    'recording.saved': 'The recording is saved: it is in the list of recordings.',
    'recording.startConfirm':
      'Record the class? Everyone will see that it is being recorded: everyone’s sound and the shared screen (or the teacher’s camera) will be kept.',
    'recording.failed':
      'The recording stopped because of an error ({code}). What was recorded until then is kept.',
    'recording.prejoin':
      'This class is being recorded: your voice and picture may be recorded if you turn them on.',
    'recording.list.title': 'Recordings',
    'recording.list.none': 'No recordings yet.',
    'recording.list.item': '{title} — {date}, {duration}',
    'recording.list.by': 'recorded by {name}',
    'recording.list.play': 'Play the recording “{title}” of {date}',
    'recording.list.download': 'Download',
    'recording.duration': '{minutes} min {seconds} s',
  },
);
