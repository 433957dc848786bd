import { catalogue } from './catalogue';

/** Strings saying whether the archive is whole: acts recorded but still waiting to be archived. */
export const archiveWhole = catalogue(
  {
    'archive.pending.search':
      '{count} acte(s) correspondant à cette recherche sont enregistrés mais pas encore archivés (en attente dans la file d’archivage) : ils n’apparaissent pas ci-dessous. Relancez la recherche dans un instant.',
    'archive.pending.export':
      'Incomplet : {count} acte(s) du périmètre attendaient encore d’être archivés lors de cet export et n’y figurent pas (ils sont nommés dans MANIFEST.json). Exportez à nouveau pour les inclure.',
    'archive.pending.whole': 'Complet',
  },
  {
    'archive.pending.search':
      '{count} act(s) matching this search are recorded but not archived yet (waiting in the archiving queue): they are not shown below. Search again in a moment.',
    'archive.pending.export':
      'Incomplete: {count} act(s) in scope were still waiting to be archived when this export was made and are not in it (they are named in MANIFEST.json). Export again to include them.',
    'archive.pending.whole': 'Whole',
  },
);
