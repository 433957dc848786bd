// Smoke test for a mediasoup-worker binary, in particular one built by
// build.sh against Debian's libraries (see shims/). Needs only mediasoup:
//
//   MEDIASOUP_WORKER_BIN=$(scripts/mediasoup-worker.sh | tail -n1) node sfu/worker-build/smoke.mjs
//
// It starts a worker and a router (opus + VP8), opens WebRTC transports on
// UDP and TCP, then for each of the four SRTP suites sends RTP from a direct
// transport through a pair of SRTP plain transports in two routers and checks
// that the packets arrive intact and were encrypted on the wire. This drives
// the libsrtp v3 adapter both ways. The DTLS handshake (the kTLS patch) needs
// a browser and is not covered here.
// Prints "SMOKE TEST PASSED" and exits 0, or exits 1.
import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';

const SUITES = [
  'AEAD_AES_256_GCM',
  'AEAD_AES_128_GCM',
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
];
const PACKETS = 30;
const MARK = 'preau-smoke-';
const mediaCodecs = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

// A minimal RTP packet: opus payload type 100, SSRC 1111, marked payload.
function rtpPacket(seq) {
  const payload = Buffer.from(`${MARK}${seq}`.padEnd(60, '.'));
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 100;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 960, 4);
  header.writeUInt32BE(1111, 8);
  return Buffer.concat([header, payload]);
}

// direct transport -> router A -> SRTP plain transport A -> UDP relay (watches
// the wire) -> SRTP plain transport B -> router B -> direct transport.
async function srtpRoundTrip(worker, suite) {
  const [routerA, routerB] = await Promise.all([
    worker.createRouter({ mediaCodecs }),
    worker.createRouter({ mediaCodecs }),
  ]);
  const relay = dgram.createSocket('udp4');
  try {
    const srtp = {
      listenInfo,
      rtcpMux: true,
      comedia: false,
      enableSrtp: true,
      srtpCryptoSuite: suite,
    };
    const tA = await routerA.createPlainTransport(srtp);
    const tB = await routerB.createPlainTransport(srtp);
    check(
      tA.srtpParameters?.cryptoSuite === suite,
      `${suite}: plain transport has SRTP parameters`,
    );

    const wire = { packets: 0, plaintext: 0 };
    await new Promise((r) => relay.bind(0, '127.0.0.1', r));
    // Plain transports drop packets from anywhere but the address they are
    // connected to, so both connect to the relay, which forwards each way.
    relay.on('message', (msg, from) => {
      if (from.port === tB.tuple.localPort) {
        relay.send(msg, tA.tuple.localPort, '127.0.0.1');
        return;
      }
      // RFC 5761 demux: RTCP has packet type 192..223 in the second byte.
      const isRtp = msg.length >= 12 && !(msg[1] >= 192 && msg[1] <= 223);
      if (isRtp) {
        wire.packets++;
        if (msg.includes(MARK)) wire.plaintext++;
      }
      relay.send(msg, tB.tuple.localPort, '127.0.0.1');
    });
    const relayPort = relay.address().port;
    await tA.connect({ ip: '127.0.0.1', port: relayPort, srtpParameters: tB.srtpParameters });
    await tB.connect({ ip: '127.0.0.1', port: relayPort, srtpParameters: tA.srtpParameters });

    const dA = await routerA.createDirectTransport();
    const producer = await dA.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 1111 }],
      },
    });
    const cA = await tA.consume({
      producerId: producer.id,
      rtpCapabilities: routerA.rtpCapabilities,
    });
    const pB = await tB.produce({ kind: 'audio', rtpParameters: cA.rtpParameters });
    const dB = await routerB.createDirectTransport();
    const cB = await dB.consume({ producerId: pB.id, rtpCapabilities: routerB.rtpCapabilities });

    const received = new Set();
    cB.on('rtp', (buf) => {
      const m = buf.toString('latin1').match(new RegExp(`${MARK}(\\d+)`));
      if (m) received.add(Number(m[1]));
    });
    for (let seq = 1; seq <= PACKETS; seq++) {
      producer.send(rtpPacket(seq));
      await sleep(5);
    }
    for (let i = 0; i < 40 && received.size < PACKETS; i++) await sleep(50);

    check(wire.packets >= PACKETS, `${suite}: ${wire.packets} RTP packets on the wire`);
    check(wire.plaintext === 0, `${suite}: no plaintext payload on the wire`);
    check(
      received.size === PACKETS,
      `${suite}: ${received.size}/${PACKETS} packets decrypted intact`,
    );
  } finally {
    relay.close();
    routerA.close();
    routerB.close();
  }
}

async function main() {
  console.log('node', process.version, 'mediasoup', mediasoup.version);
  console.log('worker binary', process.env.MEDIASOUP_WORKER_BIN ?? '(mediasoup default)');

  const worker = await mediasoup.createWorker({
    logLevel: 'warn',
    rtcMinPort: 40000,
    rtcMaxPort: 40999,
  });
  worker.on('died', (error) => {
    console.error('worker died:', error);
    process.exit(1);
  });
  check(worker.pid > 0, `worker started (pid ${worker.pid})`);
  check((await worker.getResourceUsage()).ru_maxrss > 0, 'worker answers requests');

  const router = await worker.createRouter({ mediaCodecs });
  const mimeTypes = router.rtpCapabilities.codecs.map((c) => c.mimeType);
  check(
    mimeTypes.includes('audio/opus') && mimeTypes.includes('video/VP8'),
    'router has opus and VP8',
  );

  const webrtc = await router.createWebRtcTransport({
    listenInfos: [listenInfo, { protocol: 'tcp', ip: '127.0.0.1' }],
    enableSctp: true,
  });
  const protocols = webrtc.iceCandidates
    .map((c) => c.protocol)
    .sort()
    .join(',');
  check(protocols === 'tcp,udp', `WebRTC transport listens on ${protocols}`);
  const fingerprints = webrtc.dtlsParameters.fingerprints.map((f) => f.algorithm);
  check(fingerprints.includes('sha-256'), `DTLS fingerprints: ${fingerprints.join(',')}`);
  check((await webrtc.getStats())[0].type === 'webrtc-transport', 'WebRTC transport stats');
  router.close();

  for (const suite of SUITES) await srtpRoundTrip(worker, suite);

  worker.close();
  check(worker.closed, 'worker closed');
}

const timer = setTimeout(() => {
  console.error('SMOKE TEST FAILED: timed out');
  process.exit(1);
}, 60_000);
try {
  await main();
  clearTimeout(timer);
  console.log('SMOKE TEST PASSED');
} catch (error) {
  console.error('SMOKE TEST FAILED:', error);
  process.exit(1);
}
