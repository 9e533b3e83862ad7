import type { AppConfig } from '@pbx/config';
import { cdrRetentionStart } from '@pbx/cdrs';

const DAY_MS = 86_400_000;

/** What one retention run deletes: everything older than these (null: that kind is kept for ever). */
export interface RetentionCutoffs {
  /** stored events occurred before this (never less than a day ago) */
  events: Date | null;
  /** calls ended before this */
  calls: Date | null;
  /** webhook deliveries finished before this */
  deliveries: Date | null;
  /** CDR months before this one (a month's first instant) */
  cdrs: Date | null;
}

export function retentionCutoffs(now: Date, settings: AppConfig['retention']): RetentionCutoffs {
  const daysAgo = (days: number) => (days > 0 ? new Date(now.getTime() - days * DAY_MS) : null);
  return {
    // SPEC: events are kept at least 24 h (the stream resumes from any event of the last day)
    events: daysAgo(settings.eventsDays > 0 ? Math.max(settings.eventsDays, 1) : 0),
    calls: daysAgo(settings.callsDays),
    deliveries: daysAgo(settings.webhookDeliveriesDays),
    cdrs: cdrRetentionStart(now, settings.cdrMonths),
  };
}
