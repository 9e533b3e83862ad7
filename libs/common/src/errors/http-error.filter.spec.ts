import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError } from './domain.error';
import { ErrorCode } from './error-code';
import { HttpErrorFilter, statusOf, undecodablePathHandler } from './http-error.filter';

describe('HttpErrorFilter', () => {
  const filter = new HttpErrorFilter();

  it('maps every error code to a 4xx or 5xx status', () => {
    for (const code of Object.values(ErrorCode)) expect(statusOf(code)).toBeGreaterThanOrEqual(400);
    expect(statusOf(ErrorCode.ValidationFailed)).toBe(422);
    expect(statusOf(ErrorCode.Duplicate)).toBe(409);
  });

  it('keeps domain errors as they are', () => {
    expect(filter.toBody(DomainError.invalid('number', 'bad'))).toEqual({
      error: {
        code: 'validation_failed',
        message: 'request validation failed',
        details: [{ field: 'number', message: 'bad' }],
      },
    });
  });

  it('recognises framework and parser errors', () => {
    expect(filter.toBody(new NotFoundException()).error.code).toBe('not_found');
    expect(
      filter.toBody(Object.assign(new SyntaxError('x'), { type: 'entity.parse.failed', status: 400 })).error.code,
    ).toBe('invalid_json');
    expect(filter.toBody(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 })).error.code).toBe(
      'payload_too_large',
    );
    expect(filter.toBody(new BadRequestException()).error.code).toBe('validation_failed');
  });

  it('answers a path that is not valid percent-encoding with 404, before the router', () => {
    const answer = (path: string) => {
      const sent: { status?: number; body?: { error: { code: string } }; next: boolean } = { next: false };
      const response = {
        status: (code: number) => ((sent.status = code), response),
        json: (body: never) => (sent.body = body),
      };
      undecodablePathHandler()({ path } as never, response as never, () => (sent.next = true));
      return sent;
    };
    const refused = answer('/api/pbx/extensions/%E0%A4%A');
    expect(refused).toMatchObject({ status: 404, next: false });
    expect(refused.body?.error.code).toBe('not_found');
    expect(answer('/api/pbx/extensions/12%20')).toMatchObject({ next: true });
    expect(filter.toBody(new URIError('URI malformed')).error.code).toBe('internal_error');
  });

  it('turns a lost database connection into 503 and anything unknown into 500', () => {
    expect(
      filter.toBody(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).error
        .code,
    ).toBe('service_unavailable');
    expect(filter.toBody(new Error('timeout exceeded when trying to connect')).error.code).toBe('service_unavailable');
    expect(filter.toBody(new TypeError('boom')).error.code).toBe('internal_error');
  });
});
