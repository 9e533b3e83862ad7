import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Rows deleted, by table. */
export interface DeletedRows {
  webhook_deliveries: number;
  webhook_attempts: number;
}

const WALK = 5000;

/**
 * The webhook side of bounded growth (SPEC section 5), for the worker's retention job: finished
 * deliveries go with their attempts; deliveries go when their event goes (there is no foreign
 * key to the partitioned event table); and this is where the events' retention learns which
 * events must stay because a delivery of theirs is still pending.
 */
@Injectable()
export class WebhookRetention {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Deletes deliveries that finished (succeeded, failed, skipped; one stored as skipped at once
   * counts from its creation) before `cutoff`, with their
   * attempts (ON DELETE CASCADE), walking the table by id in batches. Ids follow creation, and a
   * delivery finishes after it is made: the walk stops at the first batch made after the cutoff.
   */
  async deleteFinished(cutoff: Date): Promise<DeletedRows> {
    const deleted: DeletedRows = { webhook_deliveries: 0, webhook_attempts: 0 };
    let after = 0;
    for (;;) {
      const batch = await this.dataSource.query<Array<{ id: string; done: boolean; created_at: Date }>>(
        `SELECT id, (status <> 'pending' AND COALESCE(completed_at, created_at) < $2) AS done, created_at
           FROM webhook_deliveries WHERE id > $1 ORDER BY id LIMIT ${WALK}`,
        [after, cutoff],
      );
      if (batch.length === 0) break;
      const ids = batch.filter((row) => row.done).map((row) => row.id);
      if (ids.length > 0) {
        // the attempts are counted in the statement's snapshot, before the cascade removes them
        const [counts] = await this.dataSource.query<Array<{ deliveries: number; attempts: number }>>(
          `WITH gone AS (
             DELETE FROM webhook_deliveries WHERE id = ANY($1::bigint[]) AND status <> 'pending' AND COALESCE(completed_at, created_at) < $2
             RETURNING id)
           SELECT (SELECT count(*) FROM gone)::int AS deliveries,
                  (SELECT count(*) FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM gone))::int AS attempts`,
          [ids, cutoff],
        );
        deleted.webhook_deliveries += counts.deliveries;
        deleted.webhook_attempts += counts.attempts;
      }
      after = Number(batch[batch.length - 1].id);
      if (batch.length < WALK || batch.some((row) => row.created_at >= cutoff)) break;
    }
    return deleted;
  }

  /** Of these events, those with a delivery still pending (their event must stay). */
  async heldEvents(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await this.dataSource.query<Array<{ event_id: string }>>(
      `SELECT DISTINCT event_id FROM webhook_deliveries WHERE event_id = ANY($1::uuid[]) AND status = 'pending'`,
      [eventIds],
    );
    return new Set(rows.map((row) => row.event_id));
  }

  /** Of these calls, those with a delivery still pending for any of their events. */
  async heldCalls(callUuids: readonly string[]): Promise<Set<string>> {
    if (callUuids.length === 0) return new Set();
    const rows = await this.dataSource.query<Array<{ call_uuid: string }>>(
      `SELECT DISTINCT call_uuid FROM webhook_deliveries WHERE call_uuid = ANY($1::uuid[]) AND status = 'pending'`,
      [callUuids],
    );
    return new Set(rows.map((row) => row.call_uuid));
  }

  /** Every event with a delivery still pending (few: a due delivery is sent within its retry window). */
  async allHeldEvents(): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ event_id: string }>>(
      `SELECT DISTINCT event_id FROM webhook_deliveries WHERE status = 'pending'`,
    );
    return rows.map((row) => row.event_id);
  }

  /** The deliveries (and attempts) of events that were deleted. */
  async forgetEvents(eventIds: readonly string[]): Promise<DeletedRows> {
    if (eventIds.length === 0) return { webhook_deliveries: 0, webhook_attempts: 0 };
    const [counts] = await this.dataSource.query<Array<{ deliveries: number; attempts: number }>>(
      `WITH gone AS (DELETE FROM webhook_deliveries WHERE event_id = ANY($1::uuid[]) RETURNING id)
       SELECT (SELECT count(*) FROM gone)::int AS deliveries,
              (SELECT count(*) FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM gone))::int AS attempts`,
      [eventIds],
    );
    return { webhook_deliveries: counts.deliveries, webhook_attempts: counts.attempts };
  }

  /**
   * Pending deliveries whose event is gone (made pending again by an admin while retention
   * deleted the event): the dispatcher could never send them, and they would hold their call's
   * line for ever.
   */
  async deleteOrphanPending(): Promise<DeletedRows> {
    const [counts] = await this.dataSource.query<Array<{ deliveries: number; attempts: number }>>(
      `WITH gone AS (
         DELETE FROM webhook_deliveries d
          WHERE d.status = 'pending' AND d.created_at < now() - interval '1 minute'
            AND NOT EXISTS (SELECT 1 FROM call_events e WHERE e.id = d.event_id)
         RETURNING id)
       SELECT (SELECT count(*) FROM gone)::int AS deliveries,
              (SELECT count(*) FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM gone))::int AS attempts`,
    );
    return { webhook_deliveries: counts.deliveries, webhook_attempts: counts.attempts };
  }
}
