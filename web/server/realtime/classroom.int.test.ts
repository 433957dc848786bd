import { connect as tcpConnect } from 'node:net';
import {
  CLASSROOM_SOCKET_PATH,
  type ClassroomClientToServer,
  type ClassroomServerToClient,
  PROTOCOL_VERSION,
  type Result,
  type SessionSnapshot,
} from '@preau/protocol';
import { startLiveSession } from '@preau/storage';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPreau } from '../../../tests/support/preau';
import type { RunningPreau } from '../app';

describe('live sessions on the one port', () => {
  let preau: RunningPreau;
  let sessionId: string;
  beforeAll(async () => {
    preau = await startTestPreau();
    const { session } = await startLiveSession(preau.services.database.db, {
      id: 'ls_oneport',
      space: 'class_oneport',
      classId: 'oneport',
      title: 'Cours',
      createdBy: 'p_teacher',
    });
    sessionId = session.id;
  });
  afterAll(() => preau?.close());

  const token = () =>
    preau.services.tokens.mint('preau:classroom', {
      sub: 'p_teacher',
      name: 'Mme Prof',
      profiles: [],
      space: 'class_oneport',
      rights: ['read', 'write', 'moderate', 'present'],
      session: sessionId,
    });

  for (const transports of [['websocket'], ['polling']] as const) {
    it(`joins over ${transports[0]} with a token minted by web`, async () => {
      const socket: Socket<ClassroomServerToClient, ClassroomClientToServer> = io(preau.url, {
        path: CLASSROOM_SOCKET_PATH,
        transports: [...transports],
        auth: { token: await token(), session: sessionId, protocol: PROTOCOL_VERSION },
        reconnection: false,
      });
      try {
        const result = await new Promise<Result<SessionSnapshot>>((resolve) =>
          socket.emit('session.join', {}, resolve),
        );
        expect(result.ok && result.data.me.moderator).toBe(true);
        expect(result.ok && result.data.routerRtpCapabilities?.codecs?.length).toBeGreaterThan(0);
      } finally {
        socket.close();
      }
    });
  }

  it('leaves other upgrade paths to their own servers', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tcpConnect(preau.port, '127.0.0.1', () => {
        socket.write(
          'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
      });
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 404/);
  });
});
