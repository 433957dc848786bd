import type { ProducerView, RtpCapabilities } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { createSfu, type Sfu } from '@preau/sfu';
import { opusParameters, vp8Parameters } from '@preau/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClassroomSocket,
  call,
  type Harness,
  person,
  recorder,
  request,
  startHarness,
} from './test/harness';

describe('media signalling and teacher controls with a real SFU', () => {
  let sfu: Sfu;
  let h: Harness;
  let sessionId: string;
  let teacher: ClassroomSocket;
  let student: ClassroomSocket;
  let caps: RtpCapabilities;
  let sendTransport: string;
  const ids = { mic: '', camera: '' };

  const sfuProducers = () => sfu.listProducers({ roomId: sessionId });

  beforeAll(async () => {
    sfu = await createSfu({ workers: 1, log: silentLogger() });
    h = await startHarness({ sfu });
    sessionId = await h.startSession('4eA', 'prof');
    const connect = async (sub: string, kind: 'teacher' | 'student') =>
      h.connect({ token: await h.mint(person(sub, '4eA', kind)), session: sessionId });
    teacher = await connect('prof', 'teacher');
    student = await connect('lina', 'student');
    const snap = await call(teacher, 'session.join', {});
    caps = snap.routerRtpCapabilities!;
    expect(caps.codecs?.some((c) => c.mimeType === 'video/VP8')).toBe(true);
    await call(student, 'session.join', {});
    await call(teacher, 'media.setCapabilities', { rtpCapabilities: caps });
    await call(student, 'media.setCapabilities', { rtpCapabilities: caps });
  });
  afterAll(async () => {
    await h?.close();
    await sfu?.close();
  });

  it('lets a student publish a microphone and a simulcast camera, and the teacher consume them', async () => {
    const seen = recorder(teacher);
    const send = await call(student, 'media.createTransport', { direction: 'send' });
    expect(send.iceCandidates.length).toBeGreaterThan(0);
    sendTransport = send.id;
    ids.mic = (
      await call(student, 'media.produce', {
        transportId: send.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: opusParameters(1111),
      })
    ).producerId;
    ids.camera = (
      await call(student, 'media.produce', {
        transportId: send.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: vp8Parameters([2221, 2222, 2223]),
      })
    ).producerId;
    await expect
      .poll(() => seen.of<ProducerView>('producer.added').map((p) => p.source))
      .toEqual(['mic', 'camera']);
    expect((await sfuProducers()).map((p) => p.peerId)).toEqual(['lina', 'lina']);

    const recv = await call(teacher, 'media.createTransport', { direction: 'recv' });
    const consumer = await call(teacher, 'media.consume', {
      transportId: recv.id,
      producerId: ids.camera,
    });
    expect(consumer).toMatchObject({ producerId: ids.camera, kind: 'video', type: 'simulcast' });
    await call(teacher, 'media.setPreferredLayers', { consumerId: consumer.id, spatialLayer: 0 });
    await call(teacher, 'media.resumeConsumer', { consumerId: consumer.id });
  });

  it('refuses media calls that do not belong to the caller', async () => {
    // Another participant's transport, one's own producer, a mismatched kind.
    expect(
      await request(teacher, 'media.produce', {
        transportId: sendTransport,
        kind: 'audio',
        source: 'mic',
        rtpParameters: opusParameters(3331),
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const recv = await call(student, 'media.createTransport', { direction: 'recv' });
    expect(
      await request(student, 'media.consume', { transportId: recv.id, producerId: ids.mic }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(
      await request(student, 'media.produce', {
        transportId: sendTransport,
        kind: 'audio',
        source: 'camera',
        rtpParameters: opusParameters(3332),
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await request(teacher, 'media.pauseProducer', { producerId: ids.mic })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await sfuProducers()).every((p) => !p.paused)).toBe(true);
  });

  it('refuses a student’s teacher control and pauses nothing', async () => {
    expect(await request(student, 'moderation.mute', { participantId: 'prof' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await request(student, 'moderation.muteAll', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await sfuProducers()).every((p) => !p.paused)).toBe(true);
  });

  it('mutes a student at the SFU when the teacher says so', async () => {
    const told = new Promise((resolve) => student.once('moderation.applied', resolve));
    await call(teacher, 'moderation.mute', { participantId: 'lina' });
    expect(await told).toEqual({ action: 'mute', by: 'prof' });
    const mic = (await sfuProducers()).find((p) => p.id === ids.mic);
    expect(mic?.paused).toBe(true);
    expect((await sfuProducers()).find((p) => p.id === ids.camera)?.paused).toBe(false);
    // The student may unmute (it is a mute, not a ban).
    await call(student, 'media.resumeProducer', { producerId: ids.mic });
    expect((await sfuProducers()).find((p) => p.id === ids.mic)?.paused).toBe(false);
    await call(teacher, 'moderation.muteAll', {});
    expect((await sfuProducers()).find((p) => p.id === ids.mic)?.paused).toBe(true);
  });

  it('allows and forbids students’ screen sharing; forbidding stops a share', async () => {
    const screen = () =>
      request(student, 'media.produce', {
        transportId: sendTransport,
        kind: 'video',
        source: 'screen',
        rtpParameters: vp8Parameters([4441]),
      });
    expect(await screen()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await call(teacher, 'moderation.screenShare', { allowed: true });
    const shared = await screen();
    expect(shared.ok).toBe(true);
    expect((await sfuProducers()).map((p) => p.source)).toContain('screen');
    const seen = recorder(teacher);
    await call(teacher, 'moderation.screenShare', { allowed: false });
    expect((await sfuProducers()).map((p) => p.source)).not.toContain('screen');
    await expect.poll(() => seen.of('producer.closed')).toHaveLength(1);
  });

  it('stops a student’s camera, and closes everything they hold when they leave', async () => {
    await call(teacher, 'moderation.stopCamera', { participantId: 'lina' });
    expect((await sfuProducers()).map((p) => p.source)).toEqual(['mic']);
    await call(student, 'session.leave', {});
    await expect.poll(sfuProducers).toEqual([]);
  });
});
