import { catalogue } from './catalogue';

/** Strings of the live class page. */
export const classroom = catalogue({}, {});
