import type { SessionUser } from '@preau/protocol';
import type { Locale } from '#lib/i18n';
import type { Services } from '../server/services';

declare global {
  namespace App {
    interface Error {
      code: string;
      message: string;
    }
    interface Locals {
      locale: Locale;
      services: Services;
      /** The signed-in person (pseudonymous id, display name, profiles, roles), or null. */
      user: SessionUser | null;
      /** The session's CSRF token (null when signed out). */
      csrf: string | null;
    }
  }
}
