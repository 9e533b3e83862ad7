import { DomainError } from '@pbx/common';

/** Where a page of CDRs ended: keyset paging on (started_at, id), newest first. */
export interface CdrCursor {
  startedAt: string;
  id: string;
}

export function encodeCursor(cursor: CdrCursor): string {
  return Buffer.from(`${cursor.startedAt}|${cursor.id}`).toString('base64url');
}

/** Only what encodeCursor wrote: an ISO millisecond timestamp and a bigint id; anything else is a 422 naming `cursor`. */
export function decodeCursor(raw: string): CdrCursor {
  const [startedAt, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  // the round trip through Date refuses what V8 reads leniently and PostgreSQL refuses (Feb 31)
  const valid = isOwnTimestamp(startedAt) && /^[0-9]{1,19}$/.test(id ?? '') && BigInt(id) <= 9223372036854775807n;
  if (!valid) throw DomainError.invalid('cursor', 'cursor is not valid');
  return { startedAt, id };
}

function isOwnTimestamp(value: string | undefined): boolean {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false;
  // year 0 is a date to V8 and out of range to PostgreSQL (1 BC is written 0001 BC there)
  if (value.startsWith('0000')) return false;
  const parsed = new Date(value);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === value;
}
