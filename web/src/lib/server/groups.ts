import { type ErrorBody, PreauError } from '@preau/protocol';
import { fail } from '@sveltejs/kit';
import { STATUS } from './api';

/**
 * Turns a typed refusal into a form action's failure: the code and the
 * bound it names, for the page to say in the reader's language. Anything
 * else is rethrown (a real failure, not a refusal).
 */
export function refused(err: unknown) {
  if (err instanceof PreauError) {
    const error: Pick<ErrorBody, 'code' | 'issues'> = { code: err.code, issues: err.issues };
    return fail(STATUS[err.code], { error });
  }
  throw err;
}
