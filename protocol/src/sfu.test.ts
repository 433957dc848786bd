import { describe, expect, it } from 'vitest';
import {
  layersForTile,
  SfuCall,
  SfuCallResult,
  SfuEvent,
  SfuRequest,
  SfuServerMessage,
} from './sfu';

describe('SFU RPC schemas', () => {
  it('reads a request and keeps unknown media fields for mediasoup', () => {
    const parsed = SfuRequest.parse({
      id: 3,
      call: {
        type: 'produce',
        roomId: 'session_1',
        peerId: 'person_1',
        transportId: 'b3b7a6e2-0b9f-4c1e-9f59-1f0e8a1c2d3e',
        kind: 'video',
        source: 'camera',
        rtpParameters: {
          codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, extra: 1 }],
          encodings: [{ rid: 'r0' }, { rid: 'r1' }, { rid: 'r2' }],
        },
      },
    });
    expect(parsed.call.type).toBe('produce');
    expect(parsed.call.type === 'produce' && parsed.call.rtpParameters.codecs[0]).toMatchObject({
      extra: 1,
    });
  });

  it('refuses unknown calls, bad ids, wrong sources and oversized arrays', () => {
    const bad = [
      { type: 'dropEverything', roomId: 'r' },
      { type: 'createRoom', roomId: '../etc' },
      { type: 'createWebRtcTransport', roomId: 'r', peerId: 'p', direction: 'sideways' },
      { type: 'setPreferredLayers', roomId: 'r', peerId: 'p', consumerId: 'c', spatialLayer: 9 },
      {
        type: 'consume',
        roomId: 'r',
        peerId: 'p',
        transportId: 't',
        producerId: 'x',
        rtpCapabilities: {
          codecs: Array.from({ length: 65 }, () => ({
            kind: 'audio',
            mimeType: 'audio/opus',
            clockRate: 48000,
          })),
        },
      },
    ];
    for (const call of bad) expect(SfuCall.safeParse(call).success).toBe(false);
  });

  it('has an answer schema for every call', () => {
    const types = SfuCall.options.map((o) => o.shape.type.value).sort();
    expect(Object.keys(SfuCallResult).sort()).toEqual(types);
  });

  it('reads server messages and events', () => {
    const event = { type: 'roomClosed', roomId: 'r', reason: 'workerDied' };
    expect(SfuEvent.parse(event)).toEqual(event);
    expect(SfuServerMessage.parse({ type: 'event', event }).type).toBe('event');
    expect(
      SfuServerMessage.parse({
        type: 'response',
        id: null,
        result: { ok: false, error: { code: 'bad_request' } },
      }),
    ).toMatchObject({ id: null });
    expect(SfuEvent.safeParse({ type: 'roomClosed', roomId: 'r', reason: 'bored' }).success).toBe(
      false,
    );
  });

  it('chooses a simulcast layer by tile height', () => {
    expect(layersForTile(120).spatialLayer).toBe(0);
    expect(layersForTile(360).spatialLayer).toBe(1);
    expect(layersForTile(1080).spatialLayer).toBe(2);
  });
});
