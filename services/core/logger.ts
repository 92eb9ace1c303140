import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LoggerSettings {
  level: string;
  /** Human-readable lines; default: when stderr is a terminal. */
  pretty?: boolean;
  name?: string;
}

/**
 * The process logger. JSON lines to stderr in production (stdout stays free for command output such
 * as `tollgate sql` results); pino-pretty when attached to a terminal. Per-session loggers are
 * `logger.child({ sessionId, connection })`.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const pretty = settings.pretty ?? process.stderr.isTTY === true;
  const options: LoggerOptions = {
    level: settings.level,
    base: { name: settings.name ?? 'tollgate' },
    // Tokens and upstream secrets never reach a log line, even by accident in an error context.
    redact: {
      paths: ['token', '*.token', 'password', '*.password', 'authorization', '*.authorization', 'privateKey', '*.privateKey'],
      censor: '[redacted]',
    },
    serializers: { err: pino.stdSerializers.errWithCause },
  };
  if (pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(options, pino.destination({ dest: 2, sync: false }));
}

/** A logger that discards everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
