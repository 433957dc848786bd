// A bare socket.io server doing a live class's fan-out and nothing else (no
// token check, no schema, no storage, no trace): the reference the classroom
// node is compared with in class-traffic.ts. Same path and event names, so the
// same clients drive both. PORT from the environment; prints "listening" once up.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const server = createServer();
const io = new Server(server, { path: '/live/socket.io', serveClient: false });
const hands = new Map();
let next = 0;

io.on('connection', (socket) => {
  const room = String(socket.handshake.auth.session ?? '');
  const me = `p${next++}`;
  socket.on('session.join', (_payload, ack) => {
    socket.join(room);
    ack({ ok: true, data: {} });
  });
  socket.on('chat.send', (payload, ack) => {
    const message = {
      id: `m${next++}`,
      participantId: me,
      text: payload.text,
      sentAt: new Date().toISOString(),
    };
    ack({ ok: true, data: message });
    socket.to(room).emit('chat.message', message);
  });
  const setHand = (up, ack) => {
    const list = hands.get(room) ?? new Set();
    hands.set(room, list);
    if (up) list.add(me);
    else list.delete(me);
    ack({ ok: true, data: {} });
    io.to(room).emit('hands.updated', {
      hands: [...list].map((participantId) => ({ participantId })),
    });
  };
  socket.on('hand.raise', (_p, ack) => setHand(true, ack));
  socket.on('hand.lower', (_p, ack) => setHand(false, ack));
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('listening'));
