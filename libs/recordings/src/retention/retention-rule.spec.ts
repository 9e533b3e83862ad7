import type { RecordingStatus } from '../recording.entity';
import { expired, retentionCutoff } from './retention-rule';

describe('recording retention rule', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const recording = (status: RecordingStatus, createdDaysAgo: number, readyDaysAgo: number | null) => ({
    status,
    createdAt: daysAgo(createdDaysAgo),
    readyAt: readyDaysAgo === null ? null : daysAgo(readyDaysAgo),
  });

  it('deletes ready recordings N days after they became ready, not after they began', () => {
    expect(expired(recording('ready', 91, 90.01), now, 90)).toBe(true);
    expect(expired(recording('ready', 120, 89.99), now, 90)).toBe(false);
    expect(expired(recording('ready', 2, 1.5), now, 1)).toBe(true);
    expect(expired(recording('ready', 2, null), now, 1)).toBe(false);
  });

  it('deletes failed recordings N days after they began', () => {
    expect(expired(recording('failed', 90.01, null), now, 90)).toBe(true);
    expect(expired(recording('failed', 89.99, null), now, 90)).toBe(false);
  });

  it('leaves pending and deleted ones alone, and everything when N is 0', () => {
    expect(expired(recording('pending', 400, null), now, 90)).toBe(false);
    expect(expired(recording('deleted', 400, 400), now, 90)).toBe(false);
    expect(expired(recording('ready', 4000, 4000), now, 0)).toBe(false);
    expect(retentionCutoff(now, 0)).toBeNull();
    expect(retentionCutoff(now, 90)).toEqual(daysAgo(90));
  });
});
