import type { Recording } from '../recording.entity';

/**
 * The rule the retention's SQL applies (RecordingRetention): with RECORDINGS_RETENTION_DAYS = N > 0,
 * a `ready` recording goes N days after it became ready, a `failed` one N days after it began;
 * `pending` ones (still being made) and `deleted` ones are left alone. N = 0 keeps everything.
 */
export function retentionCutoff(now: Date, days: number): Date | null {
  return days > 0 ? new Date(now.getTime() - days * 86_400_000) : null;
}

export function expired(
  recording: Pick<Recording, 'status' | 'readyAt' | 'createdAt'>,
  now: Date,
  days: number,
): boolean {
  const cutoff = retentionCutoff(now, days);
  if (cutoff === null) return false;
  if (recording.status === 'ready') return recording.readyAt !== null && recording.readyAt < cutoff;
  if (recording.status === 'failed') return recording.createdAt < cutoff;
  return false;
}
