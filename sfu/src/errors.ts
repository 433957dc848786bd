import { PreauError } from '@preau/protocol';
import { errors as mediasoupErrors } from 'mediasoup';

/** The error every call on a closed SFU, room or peer throws. */
export function closedError(what: string): PreauError {
  return new PreauError('unavailable', `${what} is closed`);
}

/** The error for an id that names nothing (or nothing of this peer). */
export function notFound(what: string, id: string): PreauError {
  return new PreauError('not_found', `no ${what} ${id}`);
}

/**
 * Runs a mediasoup call, turning its refusals into typed errors: bad
 * parameters become `bad_request`, a closed worker `unavailable`, a repeated
 * step `conflict`. Anything
 * else is a bug and stays as it is (reported as `internal`).
 */
export async function mediasoupCall<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PreauError) throw err;
    if (err instanceof mediasoupErrors.WorkerClosedError) throw closedError(what);
    if (err instanceof mediasoupErrors.UnsupportedError) {
      throw new PreauError('conflict', `${what}: ${err.message}`);
    }
    if (err instanceof mediasoupErrors.NotFoundError) {
      throw new PreauError('not_found', `${what}: ${err.message}`);
    }
    // The worker reports bad parameters as TypeErrors naming the problem.
    if (err instanceof TypeError) throw new PreauError('bad_request', `${what}: ${err.message}`);
    if (err instanceof Error && /already called|already exists/.test(err.message)) {
      throw new PreauError('conflict', `${what}: ${err.message}`);
    }
    throw err;
  }
}
