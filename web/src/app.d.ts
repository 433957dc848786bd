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
    }
  }
}
