import type { ClassroomClientToServer, ClassroomServerToClient } from '@preau/protocol';
import type { Server } from 'socket.io';
import type { SocketData } from './handshake';
import type { SessionOutbox } from './session/types';

/** The socket.io server of live sessions, typed by the protocol's event maps. */
export type ClassroomIo = Server<
  ClassroomClientToServer,
  ClassroomServerToClient,
  Record<string, never>,
  SocketData
>;

/**
 * A session's outbox on socket.io: one room per session; sockets addressed
 * by id, which also works across nodes with a shared adapter.
 */
export function socketOutbox(io: ClassroomIo, sessionId: string): SessionOutbox {
  const room = `session:${sessionId}`;
  // The event maps are checked where the session calls the outbox; socket.io's
  // own emit signature cannot follow a generic event name, hence the cast.
  type Emitter = { emit(event: string, payload: unknown): void };
  return {
    enter: (socketId) => io.in(socketId).socketsJoin(room),
    broadcast: (event, payload, exceptSocket) => {
      const target = exceptSocket ? io.to(room).except(exceptSocket) : io.to(room);
      (target as unknown as Emitter).emit(event, payload);
    },
    send: (socketId, event, payload) => {
      (io.to(socketId) as unknown as Emitter).emit(event, payload);
    },
    reconnect: (socketId) => {
      // Closing the transport (not the socket) lets the client reconnect on its own.
      io.of('/').sockets.get(socketId)?.conn.close();
    },
    kick: (socketId, reason) => {
      io.to(socketId).emit('session.kicked', { reason });
      io.in(socketId).disconnectSockets(true);
    },
  };
}
