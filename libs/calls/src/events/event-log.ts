import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * A place in the stored order of events: the writing transaction's id (`xact_id`, xid8 as
 * text), then `position` (insert order, a sequence). Every transaction with an id below the
 * oldest one still in flight is over, so the events below that line are final: reading in this
 * order up to that line never skips an event that commits late. (Ordering by `position` alone
 * would: a transaction may take a lower position and commit after a higher one was read.) One
 * call's changes are serialised, each transaction starting after the one before committed, so a
 * call's events keep their sequence order.
 */
export interface StreamCursor {
  xact: string;
  position: string;
}

/** One stored event, for the stream: its place, its JSON as stored, and what decides who may see it. */
export interface LoggedEvent {
  cursor: StreamCursor;
  id: string;
  type: string;
  /** the stored payload, as JSON text: the same object a native webhook carries */
  json: string;
  /** null for an extension's event */
  callUuid: string | null;
  /** the call's extension (or the click-to-call agent); an extension event's own extension */
  extension: string | null;
  /** the trunks the call is tied to (explicit, route plan, the one that carried it) */
  trunkIds: number[];
  occurredAt: Date;
}

/** Where a resume starts: the event named by `since`, if still stored. */
export interface ResumePoint {
  cursor: StreamCursor;
  occurredAt: Date;
}

interface EventRow {
  xact: string;
  position: string;
  id: string;
  type: string;
  json: string;
  call_uuid: string | null;
  extension: string | null;
  trunk_ids: number[] | null;
  occurred_at: Date;
}

const SAFE_LINE = `pg_snapshot_xmin(pg_current_snapshot())`;

/**
 * Reads of the stored events in stream order (libs/calls owns call_events). Every read stops
 * at the oldest transaction still in flight (see StreamCursor).
 */
@Injectable()
export class EventLog {
  constructor(private readonly dataSource: DataSource) {}

  /** The place after the last final event: a stream that starts now starts here. */
  async head(): Promise<StreamCursor> {
    const rows = await this.dataSource.query<Array<{ xact: string; position: string }>>(
      `SELECT xact_id::text AS xact, position::text AS position FROM call_events
        WHERE xact_id < ${SAFE_LINE}
        ORDER BY xact_id DESC, position DESC LIMIT 1`,
    );
    return rows[0] ?? { xact: '0', position: '0' };
  }

  /**
   * Whether events after `after` are stored but held back behind a transaction still in flight
   * (the reader should look again soon: that transaction's end notifies nobody).
   */
  async heldBack(after: StreamCursor): Promise<boolean> {
    const rows = await this.dataSource.query<Array<{ held: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM call_events
                       WHERE xact_id >= ${SAFE_LINE} AND (xact_id, position) > ($1::xid8, $2::bigint)) AS held`,
      [after.xact, after.position],
    );
    return rows[0]?.held === true;
  }

  /** The event a client resumes after, or null when it is not stored (unknown, or deleted by retention). */
  async resumePoint(eventId: string): Promise<ResumePoint | null> {
    const rows = await this.dataSource.query<Array<{ xact: string; position: string; occurred_at: Date }>>(
      `SELECT xact_id::text AS xact, position::text AS position, occurred_at FROM call_events WHERE id = $1 LIMIT 1`,
      [eventId],
    );
    const row = rows[0];
    return row ? { cursor: { xact: row.xact, position: row.position }, occurredAt: row.occurred_at } : null;
  }

  /**
   * Up to `limit` final events after `after`, in stream order; with `upTo`, none past it (a
   * catching-up reader stops where the live feed took over).
   */
  async readAfter(after: StreamCursor, limit: number, upTo?: StreamCursor): Promise<LoggedEvent[]> {
    const params: unknown[] = [after.xact, after.position, limit];
    let bound = '';
    if (upTo) {
      params.push(upTo.xact, upTo.position);
      bound = `AND (e.xact_id, e.position) <= ($4::xid8, $5::bigint)`;
    }
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT e.xact_id::text AS xact, e.position::text AS position, e.id, e.type, e.payload::text AS json,
              e.call_uuid, COALESCE(e.extension, c.extension, c.from_extension) AS extension, e.occurred_at,
              CASE WHEN c.call_uuid IS NULL THEN NULL ELSE
                array_remove(array_cat(ARRAY[c.trunk_id],
                  ARRAY(SELECT (step ->> 'trunkId')::int FROM jsonb_array_elements(c.route_plan) AS step)), NULL)
              END AS trunk_ids
         FROM call_events e
         LEFT JOIN calls c ON c.call_uuid = e.call_uuid
        WHERE (e.xact_id, e.position) > ($1::xid8, $2::bigint)
          AND e.xact_id < ${SAFE_LINE} ${bound}
        ORDER BY e.xact_id, e.position
        LIMIT $3`,
      params,
    );
    return rows.map((row) => ({
      cursor: { xact: row.xact, position: row.position },
      id: row.id,
      type: row.type,
      json: row.json,
      callUuid: row.call_uuid,
      extension: row.extension,
      trunkIds: row.trunk_ids ?? [],
      occurredAt: row.occurred_at,
    }));
  }
}

/** Whether `a` comes after `b` in stream order. */
export function isAfter(a: StreamCursor, b: StreamCursor): boolean {
  const xa = BigInt(a.xact);
  const xb = BigInt(b.xact);
  return xa !== xb ? xa > xb : BigInt(a.position) > BigInt(b.position);
}
