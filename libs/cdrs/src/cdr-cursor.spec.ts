import { decodeCursor, encodeCursor } from './cdr-cursor';

describe('CDR cursor', () => {
  it('round-trips what it wrote', () => {
    const cursor = { startedAt: '2026-11-30T09:00:00.123Z', id: '9223372036854775807' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 of ours', 'garbage'],
    ['a date PostgreSQL would not read', Buffer.from('1|1').toString('base64url')],
    ['an id over bigint', Buffer.from('2026-03-01T00:00:00.000Z|9223372036854775808').toString('base64url')],
    ['no id', Buffer.from('2026-03-01T00:00:00.000Z').toString('base64url')],
    ['an impossible date', Buffer.from('2026-02-31T00:00:00.000Z|1').toString('base64url')],
    ['year 0 (V8 reads it, PostgreSQL does not)', Buffer.from('0000-03-01T00:00:00.000Z|1').toString('base64url')],
    ['a negative id', Buffer.from('2026-03-01T00:00:00.000Z|-1').toString('base64url')],
  ])('refuses %s with a 422 naming cursor', (_, raw) => {
    expect(() => decodeCursor(raw)).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        details: [{ field: 'cursor', message: 'cursor is not valid' }],
      }),
    );
  });
});
