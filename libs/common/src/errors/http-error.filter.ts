import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError, ErrorDetails } from './domain.error';
import { assertUnreachable, ErrorCode } from './error-code';

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.InvalidJson:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case ErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case ErrorCode.ValidationFailed:
    case ErrorCode.IdempotencyKeyReused:
    case ErrorCode.DestinationDenied:
    case ErrorCode.InvalidLeg:
    case ErrorCode.AutoAnswerNotAllowed:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case ErrorCode.Unauthorized:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.Duplicate:
    case ErrorCode.InUse:
    case ErrorCode.ExtensionOffline:
    case ErrorCode.ConcurrentCallLimit:
    case ErrorCode.CallEnded:
    case ErrorCode.CallNotAnswered:
    case ErrorCode.RecordingNotActive:
      return HttpStatus.CONFLICT;
    case ErrorCode.RangeNotSatisfiable:
      return HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
    case ErrorCode.SinceExpired:
      return HttpStatus.GONE;
    case ErrorCode.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ErrorCode.ServiceUnavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case ErrorCode.Internal:
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return assertUnreachable(code);
  }
}

interface HttpErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetails };
}

/** One place that turns any thrown value into the API's stable error body. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    const status: number = statusOf(body.error.code);
    if (status === (HttpStatus.INTERNAL_SERVER_ERROR as number)) {
      const errorId = randomUUID();
      body.error.details = { error_id: errorId };
      this.logger.error(`error ${errorId}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    }
    if (response.headersSent) return;
    // the database or Asterisk is away or saturated: worth a retry soon
    if (status === (HttpStatus.SERVICE_UNAVAILABLE as number) && !response.getHeader('Retry-After'))
      response.setHeader('Retry-After', '1');
    response.status(status).json(body);
  }

  toBody(exception: unknown): HttpErrorBody {
    const make = (code: ErrorCode, message: string, details: ErrorDetails = null): HttpErrorBody => ({
      error: { code, message, details },
    });
    if (exception instanceof DomainError) return make(exception.code, exception.message, exception.details);
    if (exception instanceof HttpException) {
      const status = exception.getStatus() as HttpStatus;
      if (status === HttpStatus.NOT_FOUND) return make(ErrorCode.NotFound, 'no such route');
      if (status === HttpStatus.UNAUTHORIZED) return make(ErrorCode.Unauthorized, 'missing or invalid token');
      if (status === HttpStatus.FORBIDDEN) return make(ErrorCode.Forbidden, 'forbidden');
      if (status === HttpStatus.PAYLOAD_TOO_LARGE) return make(ErrorCode.PayloadTooLarge, 'request body too large');
      if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE)
        return make(ErrorCode.UnsupportedMediaType, 'unsupported content type');
      if (status === HttpStatus.SERVICE_UNAVAILABLE) return make(ErrorCode.ServiceUnavailable, 'service unavailable');
      if ((status as number) < 500) return make(ErrorCode.ValidationFailed, 'bad request');
      return make(ErrorCode.Internal, 'internal error');
    }
    // body-parser errors carry `type` and `status`
    const parserError = exception as { type?: string; status?: number };
    if (parserError?.type === 'entity.parse.failed')
      return make(ErrorCode.InvalidJson, 'request body is not valid JSON');
    if (parserError?.type === 'entity.too.large') return make(ErrorCode.PayloadTooLarge, 'request body too large');
    if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
      return make(ErrorCode.UnsupportedMediaType, 'unsupported body encoding');
    }
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return make(ErrorCode.ValidationFailed, 'bad request');
    }
    if (isDatabaseDown(exception)) return make(ErrorCode.ServiceUnavailable, 'database unavailable, retry later');
    return make(ErrorCode.Internal, 'internal error');
  }
}

function isDatabaseDown(exception: unknown): boolean {
  const code = (exception as { code?: string; driverError?: { code?: string } })?.code;
  const message = exception instanceof Error ? exception.message : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001'].includes(code ?? '') ||
    // the last two: no pool connection within DB_POOL_ACQUIRE_TIMEOUT_MS (pool exhausted, or PostgreSQL slow to accept)
    /Connection terminated|connect ECONNREFUSED|Connection refused|timeout exceeded when trying to connect|timeout expired/i.test(
      message,
    )
  );
}

/**
 * Express error middleware placed right after the body parsers: bad JSON, oversized or badly
 * encoded bodies get the API's error body before Nest turns them into a generic 400.
 */
export function bodyParserErrorHandler(filter = new HttpErrorFilter()) {
  return (error: unknown, _request: unknown, response: Response, next: (error?: unknown) => void): void => {
    if (typeof (error as { type?: unknown })?.type !== 'string') return next(error);
    const body = filter.toBody(error);
    response.status(statusOf(body.error.code)).json(body);
  };
}

/**
 * Express middleware before the router: a path that is not valid percent-encoding names no
 * resource, so 404 with the API's error body. (The router would throw a URIError, which Nest
 * turns into a generic 400 before any filter sees it.)
 */
export function undecodablePathHandler(filter = new HttpErrorFilter()) {
  return (request: Request, response: Response, next: () => void): void => {
    try {
      decodeURIComponent(request.path);
    } catch {
      const body = filter.toBody(
        new DomainError(ErrorCode.NotFound, 'no such resource: the path is not valid percent-encoding'),
      );
      response.status(statusOf(body.error.code)).json(body);
      return;
    }
    next();
  };
}
