import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@pbx/database';
import { purgeCutoffs } from './cel-retention';

export interface LegHistory {
  answeredAt?: Date;
  endedAt?: Date;
  cause?: number | null;
}

/** One row of Asterisk's channel event log, times in UTC (cel.conf: usegmtime). */
export interface CelRow {
  id: number;
  eventtype: string;
  at: Date;
  cidNum: string | null;
  exten: string | null;
  context: string | null;
  channame: string | null;
  appname: string | null;
  uniqueid: string;
  linkedid: string;
  extra: string | null;
}

/** What became of a finished linkedid (table cel_linkedids). */
export type LinkedidOutcome = 'recovered' | 'handled' | 'skipped';

const PURGE_BATCH = 10_000;

/**
 * What Asterisk logged about its channels (cel_pgsql → table `cel`; ARI channel ids are the
 * channels' uniqueids). Lets the worker close legs that ended while it was away with their real
 * answer and end times and causes, and turn calls that happened without it into calls: each
 * finished linkedid is accounted for once (table `cel_linkedids`), and the purge keeps a
 * linkedid's rows until it is.
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

  /**
   * The rows of calls Asterisk finished (LINKEDID_END) before `before` and that nobody has
   * accounted for yet (cel_linkedids), oldest first, at most `limit` linkedids, by linkedid.
   */
  async unaccounted(before: Date, limit: number): Promise<Map<string, CelRow[]>> {
    const { rows } = await preparedQuery<CelRow>(
      this.dataSource,
      `WITH ended AS (
         SELECT e.linkedid FROM cel e
          WHERE e.eventtype = 'LINKEDID_END' AND e.eventtime < ($1::timestamptz AT TIME ZONE 'UTC')
            AND NOT EXISTS (SELECT 1 FROM cel_linkedids m WHERE m.linkedid = e.linkedid)
          ORDER BY e.eventtime LIMIT $2)
       SELECT c.id::int AS id, c.eventtype, c.eventtime AT TIME ZONE 'UTC' AS at, c.cid_num AS "cidNum", c.exten,
              c.context, c.channame, c.appname, c.uniqueid, c.linkedid, c.extra
         FROM cel c JOIN ended USING (linkedid) ORDER BY c.eventtime, c.id`,
      [before, limit],
    );
    const groups = new Map<string, CelRow[]>();
    for (const row of rows) groups.set(row.linkedid, [...(groups.get(row.linkedid) ?? []), row]);
    return groups;
  }

  /**
   * Records what became of finished linkedids, in the caller's transaction when given one;
   * returns those that were not accounted for before (each linkedid is accounted for once).
   */
  async account(
    linkedids: string[],
    outcome: LinkedidOutcome,
    callUuid: string | null = null,
    manager?: EntityManager,
  ): Promise<string[]> {
    if (linkedids.length === 0) return [];
    const { rows } = await preparedQuery<{ linkedid: string }>(
      manager ?? this.dataSource,
      `INSERT INTO cel_linkedids (linkedid, outcome, call_uuid) SELECT unnest($1::varchar[]), $2, $3
       ON CONFLICT (linkedid) DO NOTHING RETURNING linkedid`,
      [linkedids, outcome, callUuid],
    );
    return rows.map((r) => r.linkedid);
  }

  /**
   * Keeps the log small, at most once an hour, by the rule of cel-retention.ts: a linkedid's
   * rows go two days after its last one once it is accounted for, else only after the long
   * bound; then the marks whose rows are all gone.
   */
  async purge(now = new Date()): Promise<void> {
    if (now.getTime() - this.lastPurge < 3_600_000) return;
    this.lastPurge = now.getTime();
    const { accounted, unaccounted } = purgeCutoffs(now);
    let deleted: number;
    do {
      const result: [unknown, number] = await this.dataSource.query(
        `WITH doomed AS (
           SELECT DISTINCT o.linkedid FROM cel o
             LEFT JOIN cel_linkedids m ON m.linkedid = o.linkedid
            WHERE o.eventtime < (CASE WHEN m.linkedid IS NULL THEN $2 ELSE $1 END::timestamptz AT TIME ZONE 'UTC')
              AND NOT EXISTS (
                SELECT 1 FROM cel n WHERE n.linkedid = o.linkedid
                   AND n.eventtime >= (CASE WHEN m.linkedid IS NULL THEN $2 ELSE $1 END::timestamptz AT TIME ZONE 'UTC'))
            LIMIT ${PURGE_BATCH})
         DELETE FROM cel d USING doomed WHERE d.linkedid = doomed.linkedid`,
        [accounted, unaccounted],
      );
      deleted = result[1];
    } while (deleted > 0 && Date.now() - now.getTime() < 60_000);
    await this.dataSource.query(
      `DELETE FROM cel WHERE linkedid IS NULL AND eventtime < ($1::timestamptz AT TIME ZONE 'UTC')`,
      [unaccounted],
    );
    await this.dataSource.query(
      `DELETE FROM cel_linkedids m WHERE m.accounted_at < $1
          AND NOT EXISTS (SELECT 1 FROM cel c WHERE c.linkedid = m.linkedid)`,
      [accounted],
    );
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
