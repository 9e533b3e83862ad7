import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface LegHistory {
  answeredAt?: Date;
  endedAt?: Date;
  cause?: number | null;
}

const RETENTION = "interval '2 days'";

/**
 * What Asterisk logged about our channels (cel_pgsql → table `cel`; ARI channel ids are the
 * channels' uniqueids). Lets the worker close legs that ended while it was away with their
 * real answer and end times and causes.
 */
@Injectable()
export class ChannelHistory {
  private lastPurge = 0;

  constructor(private readonly dataSource: DataSource) {}

  async of(legUuids: string[]): Promise<Map<string, LegHistory>> {
    const history = new Map<string, LegHistory>();
    if (legUuids.length === 0) return history;
    const rows: Array<{ uniqueid: string; eventtype: string; at: Date; extra: string | null }> =
      await this.dataSource.query(
        `SELECT uniqueid, eventtype, eventtime AT TIME ZONE 'UTC' AS at, extra FROM cel
        WHERE uniqueid = ANY($1) AND eventtype IN ('ANSWER', 'HANGUP') ORDER BY eventtime`,
        [legUuids],
      );
    for (const row of rows) {
      const entry = history.get(row.uniqueid) ?? {};
      if (row.eventtype === 'ANSWER') entry.answeredAt ??= row.at;
      if (row.eventtype === 'HANGUP') {
        entry.endedAt = row.at;
        entry.cause = parseCause(row.extra);
      }
      history.set(row.uniqueid, entry);
    }
    return history;
  }

  /** Keeps the log small: at most once an hour, drop what is older than two days. */
  async purge(): Promise<void> {
    if (Date.now() - this.lastPurge < 3_600_000) return;
    this.lastPurge = Date.now();
    await this.dataSource.query(`DELETE FROM cel WHERE eventtime < (now() AT TIME ZONE 'UTC') - ${RETENTION}`);
  }
}

function parseCause(extra: string | null): number | null {
  try {
    const cause = Number((JSON.parse(extra ?? '{}') as { hangupcause?: unknown }).hangupcause);
    return Number.isInteger(cause) ? cause : null;
  } catch {
    return null;
  }
}
