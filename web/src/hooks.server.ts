import type { Handle } from '@sveltejs/kit/hooks';
import { pickLocale } from '#lib/i18n';
import { servicesOf } from '../server/requestServices';

/**
 * Every request gets the locale and the server's services. Services come from
 * the one-port server (web/server), which hands them over on the Node request,
 * so nothing here is a module-level singleton.
 */
export const handle: Handle = async ({ event, resolve }) => {
  const locale = pickLocale(event.cookies.get('lang'));
  event.locals.locale = locale;
  event.locals.services = servicesOf(event.platform?.req);
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', locale),
  });
};
