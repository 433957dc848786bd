// Starts the reference Yjs server (@y/websocket-server 0.1.5) with coherent Yjs
// modules (see yjs-hook.mjs); HOST and PORT as the package's own entry reads them.
import { register } from 'node:module';

register('./yjs-hook.mjs', import.meta.url);
await import('@y/websocket-server/server');
