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
  file: string | undefined = process.env.LOG_FILE,
): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (!file || level === 'silent') return pino(options);
  // Everything to the file (`./preau start` keeps the console for people);
  // warnings and errors to the console as well, so that none goes unseen.
  return pino(
    options,
    pino.multistream([
      { level: level as pino.Level, stream: pino.destination({ dest: file, mkdir: true }) },
      { level: 'warn', stream: process.stderr },
    ]),
  );
}

/** A logger that writes nothing, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** One line a recording logger kept: pino's level number, its message and fields. */
export type LoggedLine = { level: number; msg: string } & Record<string, unknown>;

/** A logger that keeps every line it writes (debug and above), for tests that read logs. */
export function recordingLogger(): { log: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}
