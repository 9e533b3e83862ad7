import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { withLogFields } from './log-context';
import { redactUrl } from './redact';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Express middleware: a request id for every HTTP request (the caller's X-Request-Id when it
 * is a sane token, else a new one, echoed back), bound to every line logged while the request
 * is handled, and one line when it ends (method, URL with secret query values redacted,
 * status, duration).
 */
export function requestLogging(logger: Pino) {
  return (request: IncomingMessage & { originalUrl?: string }, response: ServerResponse, next: () => void): void => {
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    withLogFields({ request_id: requestId }, () => {
      response.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const level = response.statusCode >= 500 ? 'error' : 'info';
        logger[level](
          {
            context: 'http',
            method: request.method,
            url: redactUrl(request.originalUrl ?? request.url ?? ''),
            status: response.statusCode,
            duration_ms: Math.round(ms * 10) / 10,
          },
          'request',
        );
      });
      next();
    });
  };
}
