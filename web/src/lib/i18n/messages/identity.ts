import { catalogue } from './catalogue';

/** Strings of sign-in, directory, home pages per profile, admin. */
export const identity = catalogue({}, {});
