import type { IncomingMessage } from 'node:http';
import type { Services } from './services';

// Type-only on purpose: SvelteKit's bundle reads the services from the request
// and must not pull the storage engines into its own build.

// A registered symbol: the app's bundle and the server each hold their own copy of this module.
const SERVICES = Symbol.for('preau.services');

/** Hands the services to SvelteKit on the Node request (read back by hooks.server.ts). */
export function attachServices(req: IncomingMessage, services: Services) {
  (req as IncomingMessage & { [SERVICES]?: Services })[SERVICES] = services;
}

/** The services attached to a request by the one-port server. */
export function servicesOf(req: IncomingMessage | undefined): Services {
  const services = (req as (IncomingMessage & { [SERVICES]?: Services }) | undefined)?.[SERVICES];
  if (!services) throw new Error('Préau services missing: run the app through web/server');
  return services;
}
