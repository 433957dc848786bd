import { catalogue } from './catalogue';

/** Strings of pads, boards and their history. */
export const docs = catalogue({}, {});
