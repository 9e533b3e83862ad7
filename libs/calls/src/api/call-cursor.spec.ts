import { DomainError } from '@pbx/common';
import { decodeCallCursor, encodeCallCursor } from './call-cursor';

describe('call cursor', () => {
  const cursor = { createdAt: '2026-03-01T10:00:00.123456Z', callUuid: '3f0c7a52-5a4c-4c1e-9d3e-2b7e4c8f9a01' };

  it('round-trips what it wrote, microseconds included', () => {
    expect(decodeCallCursor(encodeCallCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 of ours', 'bm90LWEtY3Vyc29y'],
    ['milliseconds only', Buffer.from(`2026-03-01T10:00:00.123Z|${cursor.callUuid}`).toString('base64url')],
    ['Feb 31', Buffer.from(`2026-02-31T10:00:00.123456Z|${cursor.callUuid}`).toString('base64url')],
    ['year 0', Buffer.from(`0000-01-01T00:00:00.000000Z|${cursor.callUuid}`).toString('base64url')],
    ['hour 24', Buffer.from(`2026-03-01T24:00:00.000000Z|${cursor.callUuid}`).toString('base64url')],
    ['not a uuid', Buffer.from(`${cursor.createdAt}|1`).toString('base64url')],
    ['upper-case uuid', Buffer.from(`${cursor.createdAt}|${cursor.callUuid.toUpperCase()}`).toString('base64url')],
    ['a third part', Buffer.from(`${cursor.createdAt}|${cursor.callUuid}|x`).toString('base64url')],
    ['empty', ''],
  ])('refuses %s with a 422 naming cursor', (_, raw) => {
    expect(() => decodeCallCursor(raw)).toThrow(DomainError);
    try {
      decodeCallCursor(raw);
    } catch (error) {
      expect((error as DomainError).details).toEqual([{ field: 'cursor', message: 'cursor is not valid' }]);
    }
  });
});
