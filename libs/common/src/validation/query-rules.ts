import { applyDecorators } from '@nestjs/common';
import { IsISO8601, IsString, Matches } from 'class-validator';
import { Optional } from './rules';

/**
 * The query parameters the call-history lists share (GET /api/pbx/calls and /cdrs), one rule
 * each, so both routes accept and refuse the same values. Query values are always strings; a
 * repeated parameter arrives as an array and fails IsString (422 naming it).
 */

const RFC3339 = /^(19|2\d)\d{2}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An RFC 3339 date or date-time from 1900 to 2999 (strict ISO 8601, so Feb 30 is refused too). */
export const QueryDateTime = (): PropertyDecorator =>
  applyDecorators(
    Optional(),
    IsISO8601({ strict: true }),
    Matches(RFC3339, { message: '$property must be an RFC 3339 date or date-time' }),
  );

export const QueryExtension = (): PropertyDecorator =>
  applyDecorators(Optional(), IsString(), Matches(/^[0-9]{3,10}$/, { message: '$property must be 3 to 10 digits' }));

/** A number as a carrier or a CRM writes it: `min` to `max` characters, digits with one optional leading `+` (compared without it). */
export const QueryNumber = (min: number, max: number): PropertyDecorator =>
  applyDecorators(
    Optional(),
    IsString(),
    Matches(new RegExp(`^(?=.{${min},${max}}$)\\+?[0-9]+$`), {
      message: `$property must be ${min} to ${max} digits, optionally starting with +`,
    }),
  );

export const QueryLimit = (): PropertyDecorator =>
  applyDecorators(
    Optional(),
    IsString(),
    Matches(/^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$/, { message: '$property must be an integer from 1 to 500' }),
  );

export const QueryCursor = (): PropertyDecorator =>
  applyDecorators(Optional(), IsString(), Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: '$property is not valid' }));

export const QueryUuid = (): PropertyDecorator =>
  applyDecorators(
    Optional(),
    IsString(),
    Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: '$property must be a UUID' }),
  );

/** The number as the tables store it: one leading `+` stripped. */
export function withoutPlus(value: string): string {
  return value.startsWith('+') ? value.slice(1) : value;
}
