import { describe, expect, it } from 'vitest';
import {
  CLASSROOM_LIMITS,
  ClassroomAuth,
  ClientEventSchemas,
  ServerEventSchemas,
  SessionSnapshot,
} from './classroom';

describe('live session wire schemas', () => {
  it('trims chat, refuses empty, oversized and unexpected fields', () => {
    const send = ClientEventSchemas['chat.send'].request;
    expect(send.parse({ text: '  salut  ' })).toEqual({ text: 'salut' });
    expect(send.safeParse({ text: '   ' }).success).toBe(false);
    expect(send.safeParse({ text: 'x'.repeat(CLASSROOM_LIMITS.chatChars + 1) }).success).toBe(
      false,
    );
    expect(send.safeParse({ text: 'x', admin: true }).success).toBe(false);
  });

  it('refuses extra fields on every client event', () => {
    for (const [event, { request }] of Object.entries(ClientEventSchemas)) {
      const r = request.safeParse({ injected: 1 });
      expect(r.success, event).toBe(false);
    }
  });

  it('bounds what identifies a target and a layer', () => {
    const mute = ClientEventSchemas['moderation.mute'].request;
    expect(mute.safeParse({ participantId: '../etc' }).success).toBe(false);
    const layers = ClientEventSchemas['media.setPreferredLayers'].request;
    expect(layers.safeParse({ consumerId: 'c1', spatialLayer: 3 }).success).toBe(false);
    expect(layers.safeParse({ consumerId: 'c1', spatialLayer: 2 }).success).toBe(true);
  });

  it('needs a token, a session id and a protocol version at the handshake', () => {
    expect(ClassroomAuth.safeParse({ session: 'ls_1', protocol: 1 }).success).toBe(false);
    expect(ClassroomAuth.safeParse({ token: 't', session: 'ls 1', protocol: 1 }).success).toBe(
      false,
    );
    expect(ClassroomAuth.safeParse({ token: 't', session: 'ls_1', protocol: 1 }).success).toBe(
      true,
    );
  });

  it('describes a snapshot and server events that round-trip through JSON', () => {
    const snapshot = SessionSnapshot.parse({
      session: {
        sessionId: 'ls_1',
        space: 'class_3eB',
        title: 'Maths',
        phase: 'live',
        locked: false,
        studentScreenShare: false,
        startedAt: '2026-03-02T08:00:00.000Z',
        endedAt: null,
      },
      me: {
        participantId: 'p1',
        name: 'Léa',
        rights: ['read', 'write'],
        moderator: false,
        canShareScreen: false,
      },
      resumed: false,
      participants: [],
      hands: [],
      chat: [],
      producers: [],
      activeSpeaker: null,
      routerRtpCapabilities: null,
    });
    expect(SessionSnapshot.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
    expect(ServerEventSchemas['session.kicked'].safeParse({ reason: 'removed' }).success).toBe(
      true,
    );
    expect(ServerEventSchemas['session.kicked'].safeParse({ reason: 'bored' }).success).toBe(false);
  });
});
