import { availableParallelism } from 'node:os';
import { env, readConfig } from '@preau/protocol/server';
import { z } from 'zod';

/** How an SFU runs: its workers, their ports and addresses. */
export interface SfuOptions {
  /** mediasoup workers (each one C++ process on one core). */
  workers: number;
  /** Address the WebRtcServers and plain transports listen on. */
  listenIp: string;
  /** Address (IP or host name) given to browsers in ICE candidates, when it differs from listenIp (NAT, 0.0.0.0). */
  announcedAddress: string | undefined;
  /** First WebRtcServer port: worker i listens on UDP and TCP port `webRtcPort + i`; 0 picks free ports. */
  webRtcPort: number;
  /** Port range of plain transports (benchmarks, tests, recording). */
  rtcMinPort: number;
  rtcMaxPort: number;
  /** mediasoup worker log level. */
  workerLogLevel: 'debug' | 'warn' | 'error' | 'none';
  /** Peers a room puts on one router before it spreads to another worker (pipeToRouter). */
  peersPerRouter: number;
  /** How often the standalone process reports its load to each RPC connection (ms). */
  loadIntervalMs: number;
}

/** Defaults: one worker per core, everything on loopback with free ports. */
export function defaultSfuOptions(): SfuOptions {
  return {
    workers: availableParallelism(),
    listenIp: '127.0.0.1',
    announcedAddress: undefined,
    webRtcPort: 0,
    rtcMinPort: 10000,
    rtcMaxPort: 59999,
    workerLogLevel: 'warn',
    peersPerRouter: 50,
    loadIntervalMs: 1000,
  };
}

/**
 * Reads the SFU's options (and, for the standalone process, its RPC address
 * and secret) once from the environment.
 */
export function readSfuConfig(source: Record<string, string | undefined> = process.env) {
  const defaults = defaultSfuOptions();
  const config = readConfig(
    {
      // One worker per core: a mediasoup worker is single-threaded.
      SFU_WORKERS: env.int(defaults.workers),
      // Loopback by default: serving media to a network is a deliberate choice.
      SFU_LISTEN_IP: z.string().min(1).default(defaults.listenIp),
      // The public address browsers reach, when behind NAT or listening on 0.0.0.0.
      SFU_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
      // 0 lets the system choose; set it (e.g. 40000) to open firewall ports.
      SFU_WEBRTC_PORT: env.port(defaults.webRtcPort),
      // mediasoup's own default range.
      SFU_RTC_MIN_PORT: env.port(defaults.rtcMinPort),
      SFU_RTC_MAX_PORT: env.port(defaults.rtcMaxPort),
      // Workers log only what needs attention.
      SFU_WORKER_LOG_LEVEL: env.oneOf(['debug', 'warn', 'error', 'none'], defaults.workerLogLevel),
      // A class of 30 with every camera on is about one core (1,800 consumers per core measured).
      SFU_PEERS_PER_ROUTER: env.int(defaults.peersPerRouter),
      // Placement needs fresh figures; once a second costs a few bytes per classroom node.
      SFU_LOAD_INTERVAL_MS: env.int(defaults.loadIntervalMs),
      // The standalone process's RPC: loopback, port 4443 by convention of this project.
      SFU_RPC_HOST: z.string().min(1).default('127.0.0.1'),
      SFU_RPC_PORT: env.port(4443),
      // Shared with classroom-server; required only by the standalone process.
      SFU_RPC_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    },
    source,
  );
  const options: SfuOptions = {
    workers: config.SFU_WORKERS,
    listenIp: config.SFU_LISTEN_IP,
    announcedAddress: config.SFU_ANNOUNCED_ADDRESS,
    webRtcPort: config.SFU_WEBRTC_PORT,
    rtcMinPort: config.SFU_RTC_MIN_PORT,
    rtcMaxPort: config.SFU_RTC_MAX_PORT,
    workerLogLevel: config.SFU_WORKER_LOG_LEVEL as SfuOptions['workerLogLevel'],
    peersPerRouter: config.SFU_PEERS_PER_ROUTER,
    loadIntervalMs: config.SFU_LOAD_INTERVAL_MS,
  };
  return Object.freeze({
    options: Object.freeze(options),
    rpc: Object.freeze({
      host: config.SFU_RPC_HOST,
      port: config.SFU_RPC_PORT,
      secret: config.SFU_RPC_SECRET,
    }),
  });
}

/** The SFU's configuration, frozen. */
export type SfuConfig = ReturnType<typeof readSfuConfig>;
