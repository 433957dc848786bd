import { catalogue } from './catalogue';

/** Strings of admission control: a live class too busy to let everyone in at once. */
export const admission = catalogue(
  {
    'live.busy.retry': 'Classe très demandée : nouvel essai dans {seconds} s',
    'live.error.busy': 'serveur très demandé, réessayez dans un instant',
  },
  {
    'live.busy.retry': 'Class in high demand: trying again in {seconds} s',
    'live.error.busy': 'server in high demand, try again in a moment',
  },
);
