import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code';
import { statusOf } from '../errors/http-error.filter';
import { ErrorBody, FieldProblemDto, ReferrerDto } from './error-body';

/** Every status the error filter can answer with (statusOf in http-error.filter.ts). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 416 | 422 | 429 | 500 | 503;

/** What each status means across the API; an operation may say more precisely (see ApiErrors). */
export const ERROR_STATUS_TEXT: Readonly<Record<ErrorStatus, string>> = {
  400: 'The body is not valid JSON',
  401: 'Missing, malformed or unknown token',
  403: 'The token lacks the scope (`details.required_scopes`), or a limited token asks outside its limits (`details` names the field)',
  404: 'No such resource (an id that is not a positive integer is unknown too)',
  409: 'The request conflicts with the current state',
  410: 'What the request names is no longer kept',
  413: 'The body is over 64 KiB',
  415: 'The body’s encoding or charset is not supported',
  416: 'The `Range` asked for starts past the end; `Content-Range: bytes */<size>` gives the size',
  422: 'The request is invalid: `details` lists `{ field, message }` for each failing field',
  429: 'A rate-limit budget is spent; `Retry-After` says when to retry',
  500: 'A bug: `details.error_id` is also in the API log',
  503: 'The database or Asterisk is unavailable, or no database connection was free in time',
};

const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } };

/** The codes the filter answers `status` with. */
export function errorCodesOf(status: number): ErrorCode[] {
  return Object.values(ErrorCode).filter((code) => statusOf(code) === status);
}

const codeList = (status: number) =>
  errorCodesOf(status)
    .map((code) => `\`${code}\``)
    .join(' or ');

/**
 * Documents error answers, all with the ErrorBody schema: `@ApiErrors(404, 422)` describes
 * each status with its general meaning and every code it can carry; `[409, 'The number is taken
 * (`duplicate`)']` says what it means for this operation instead. On a controller class it
 * applies to every operation.
 */
export function ApiErrors(...entries: Array<ErrorStatus | [ErrorStatus, string]>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(FieldProblemDto, ReferrerDto),
    ...entries.map((entry) => {
      const [status, description] = Array.isArray(entry)
        ? entry
        : [entry, `${ERROR_STATUS_TEXT[entry]} (${codeList(entry)}).`];
      return ApiResponse({
        status,
        description,
        type: ErrorBody,
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      });
    }),
  );
}
