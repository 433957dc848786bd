import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths never written to logs: credentials, tokens and message bodies. */
const REDACT = [
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'body',
  '*.body',
];

/**
 * The root logger of one process. Modules take a child with the ids that
 * matter (`log.child({ module: 'docs', docId })`), never a global.
 */
export function createLogger(
  name: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** A logger that writes nothing, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
