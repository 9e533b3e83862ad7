import pino, { Logger as Pino } from 'pino';
import { currentLogFields } from './log-context';

export type LogFormat = 'json' | 'pretty';
export type LogLevelName = 'error' | 'warn' | 'log' | 'debug';

const PINO_LEVEL: Record<LogLevelName, pino.Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug' };

/**
 * The process's pino logger: JSON lines on stdout (one object per line, time in ISO), with
 * the context's fields (request_id, call_uuid, leg_uuid) merged into every line; `pretty` for
 * a human at a terminal, only when asked.
 */
export function createRootLogger(options: { app: string; level: LogLevelName; format: LogFormat }): Pino {
  return pino(
    {
      level: PINO_LEVEL[options.level],
      base: { app: options.app },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => currentLogFields(),
      // credentials that could ride in a logged object never reach the line
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'password',
          'secret',
          'token',
          '*.password',
          '*.secret',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    options.format === 'pretty'
      ? pino.transport({ target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } })
      : pino.destination({ sync: false }),
  );
}
