// Module resolution hook for the reference server. @y/websocket-server 0.1.5 as
// installed resolves two different prereleases of Yjs 14: its own `yjs`
// (14.0.0-16) and `@y/y` (14.0.0-rc.7, through @y/protocols); a document of one
// cannot be read by the other ("store.getClock is not a function"). This hook
// makes @y/protocols use the server's own `yjs`, so the reference runs as its
// authors meant it, unmodified.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const serverYjs = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('@y/websocket-server/package.json')
    .replace(/package\.json$/, 'node_modules/yjs/src/index.js'),
).href;

export async function resolve(specifier, context, next) {
  if (specifier === '@y/y' && context.parentURL?.includes('/@y/protocols/')) {
    return { url: serverYjs, shortCircuit: true, format: 'module' };
  }
  return next(specifier, context);
}
