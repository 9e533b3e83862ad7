import { DomainError } from '@pbx/common';

/**
 * Where a page of calls ended: keyset paging on (created_at, call_uuid), newest first. The time
 * keeps PostgreSQL's microseconds (a row written by SQL's now() has them), so no row is skipped
 * or repeated at a page boundary.
 */
export interface CallCursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` */
  createdAt: string;
  callUuid: string;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCallCursor(cursor: CallCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.callUuid}`).toString('base64url');
}

/** Only what encodeCallCursor wrote; anything else is a 422 naming `cursor`. */
export function decodeCallCursor(raw: string): CallCursor {
  const [createdAt, callUuid, extra] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !isOwnTimestamp(createdAt) || !UUID.test(callUuid ?? ''))
    throw DomainError.invalid('cursor', 'cursor is not valid');
  return { createdAt, callUuid };
}

function isOwnTimestamp(value: string | undefined): boolean {
  if (!value || !AT.test(value)) return false;
  // year 0 is a date to V8 and out of range to PostgreSQL (1 BC is written 0001 BC there)
  if (value.startsWith('0000')) return false;
  // the round trip through Date (to the millisecond) refuses what PostgreSQL would (Feb 31, hour 24)
  const millis = `${value.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === millis;
}
