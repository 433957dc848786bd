import type { SessionOutbox } from '../session/types';

/**
 * A session's outbox when its sockets may sit on other nodes. Rooms, sends,
 * kicks and joins already cross nodes through the socket.io adapter; only a
 * reconnection (closing a socket's transport so its client comes back with a
 * fresh token) must reach the node that holds the socket.
 */
export function clusterOutbox(
  local: SessionOutbox,
  reconnectAnywhere: (socketId: string) => void,
): SessionOutbox {
  return { ...local, reconnect: reconnectAnywhere };
}
