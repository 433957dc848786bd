import { catalogue } from './catalogue';

/** Strings of the archivist's and DPO's area, people's rights. */
export const archive = catalogue({}, {});
