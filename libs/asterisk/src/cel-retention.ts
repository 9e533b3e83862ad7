/**
 * How long Asterisk's channel event log (table `cel`) keeps a call's rows. A linkedid the worker
 * has accounted for (a call it drove, or one it recorded from CEL: table `cel_linkedids`) goes
 * two days after its last row; one not accounted for yet is kept, so a call that happened while
 * the worker was away is never lost before it becomes a CDR, and is dropped only after a long
 * bound (a call whose end Asterisk never logged, e.g. Asterisk died during it).
 */
export const CEL_RETENTION_MS = 2 * 24 * 3_600_000;
export const CEL_UNACCOUNTED_RETENTION_MS = 30 * 24 * 3_600_000;

export interface CelGroupAge {
  /** the newest row of the linkedid */
  lastEventAt: Date;
  /** in cel_linkedids: recorded from CEL, driven by the worker, or nothing to record */
  accounted: boolean;
}

/** The rule the purge's SQL applies (ChannelHistory.purge): may this linkedid's rows go? */
export function purgeable(group: CelGroupAge, now: Date): boolean {
  const keep = group.accounted ? CEL_RETENTION_MS : CEL_UNACCOUNTED_RETENTION_MS;
  return group.lastEventAt.getTime() < now.getTime() - keep;
}

/** The oldest last-row time a linkedid may have and still be kept (the SQL's cutoffs). */
export function purgeCutoffs(now: Date): { accounted: Date; unaccounted: Date } {
  return {
    accounted: new Date(now.getTime() - CEL_RETENTION_MS),
    unaccounted: new Date(now.getTime() - CEL_UNACCOUNTED_RETENTION_MS),
  };
}
