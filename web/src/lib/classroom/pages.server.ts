import { PreauError } from '@preau/protocol';
import { error } from '@sveltejs/kit';
import { STATUS } from '#lib/server/api';

/** Turns a typed error into the page's error (status and code); anything else is rethrown. */
export function pageError(err: unknown): never {
  if (err instanceof PreauError) error(STATUS[err.code], { code: err.code, message: err.message });
  throw err;
}
