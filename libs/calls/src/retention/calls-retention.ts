import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  dropMonthPartition,
  ensureMonthlyPartitions,
  listPartitions,
  PARTITIONS_SCHEMA,
  partitionsWhollyBefore,
} from '@pbx/database';
import { RecordingRows } from '@pbx/recordings';
import { IDEMPOTENCY_KEY_HOURS } from '../api/idempotency';

/**
 * What the events' retention must ask the webhooks domain (the worker binds WebhookRetention):
 * an event stays while a delivery of it is pending, and its deliveries go when it goes.
 */
export interface EventHolds {
  /** of these events, those with a pending delivery */
  heldEvents(eventIds: readonly string[]): Promise<Set<string>>;
  /** of these calls, those with a pending delivery of any of their events */
  heldCalls(callUuids: readonly string[]): Promise<Set<string>>;
  /** every event with a pending delivery */
  allHeldEvents(): Promise<string[]>;
  /** these events are gone: their deliveries go too */
  forgetEvents(eventIds: readonly string[]): Promise<void>;
}

/** rows per statement: a large backlog never holds locks for long */
export const RETENTION_BATCH = 5000;
/** calls per statement (each takes its legs, events, commands and recording row along) */
const CALL_BATCH = 1000;
const EVENTS = 'call_events';
/** control commands are kept this long */
export const COMMAND_HOURS = 24;

/**
 * The calls domain's side of bounded growth (SPEC section 5), run by the worker's retention job:
 * expired idempotency keys, stored events (row by row, or a whole month partition at once),
 * ended calls with everything that hangs off them, and the event partitions ahead.
 */
@Injectable()
export class CallsRetention {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recordings: RecordingRows,
  ) {}

  /** This month's and the next `ahead` months' event partitions (so the default one stays empty). */
  ensureEventPartitions(now: Date, ahead: number): Promise<string[]> {
    return ensureMonthlyPartitions(this.dataSource, EVENTS, now, ahead);
  }

  /** Keys past their 24 h (the lookup already ignores them). */
  async deleteExpiredIdempotencyKeys(): Promise<number> {
    let total = 0;
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown[], number]>(
        `DELETE FROM idempotency_keys WHERE (token_id, key) IN (
           SELECT token_id, key FROM idempotency_keys
            WHERE created_at <= now() - make_interval(hours => ${IDEMPOTENCY_KEY_HOURS})
            ORDER BY created_at LIMIT ${RETENTION_BATCH})`,
      );
      total += count;
      if (count < RETENTION_BATCH) return total;
    }
  }

  /**
   * Control commands older than a day (SPEC section 3's command rows): each lives for its 5 s
   * deadline and its outcome is logged, so an old one is done, failed, expired, or stuck
   * `running` by a worker that died; none is read again. A kept call keeps no commands.
   */
  async deleteOldCommands(): Promise<number> {
    let total = 0;
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown[], number]>(
        `DELETE FROM call_commands WHERE id IN (
           SELECT id FROM call_commands WHERE created_at <= now() - interval '${COMMAND_HOURS} hours'
            ORDER BY id LIMIT ${RETENTION_BATCH})`,
      );
      total += count;
      if (count < RETENTION_BATCH) return total;
    }
  }

  /**
   * Drops the event month partitions wholly older than `cutoff` that hold no event with a
   * pending delivery (the cheap path: no row by row delete). The deliveries of their events go
   * first. Returns the partitions dropped and how many events they held.
   */
  async dropEventMonths(cutoff: Date, holds: EventHolds): Promise<{ dropped: string[]; events: number }> {
    const old = partitionsWhollyBefore(await listPartitions(this.dataSource, EVENTS), cutoff);
    if (old.length === 0) return { dropped: [], events: 0 };
    const held = await holds.allHeldEvents();
    const dropped: string[] = [];
    let events = 0;
    for (const partition of old) {
      if (await this.holdsAny(partition.name, held)) continue;
      let after = '00000000-0000-0000-0000-000000000000';
      let rowsIn = 0;
      for (;;) {
        const rows = await this.dataSource.query<Array<{ id: string }>>(
          `SELECT id FROM ${PARTITIONS_SCHEMA}.${partition.name} WHERE id > $1 ORDER BY id LIMIT ${RETENTION_BATCH}`,
          [after],
        );
        if (rows.length === 0) break;
        await holds.forgetEvents(rows.map((row) => row.id));
        rowsIn += rows.length;
        after = rows[rows.length - 1].id;
      }
      // busy past the lock timeout: the row by row delete below takes its rows this time
      if (!(await dropMonthPartition(this.dataSource, EVENTS, partition.name))) continue;
      dropped.push(partition.name);
      events += rowsIn;
    }
    return { dropped, events };
  }

  /**
   * Deletes events older than `cutoff`, call and extension events alike, in batches, keeping
   * those with a pending delivery. Walks by stream position (indexed, in insert order).
   */
  async deleteEvents(cutoff: Date, holds: EventHolds): Promise<number> {
    let deleted = 0;
    let after = '0';
    for (;;) {
      const batch = await this.dataSource.query<Array<{ id: string; position: string }>>(
        `SELECT id, position FROM call_events
          WHERE occurred_at < $1 AND position > $2 ORDER BY position LIMIT ${RETENTION_BATCH}`,
        [cutoff, after],
      );
      if (batch.length === 0) break;
      const held = await holds.heldEvents(batch.map((row) => row.id));
      const doomed = batch.filter((row) => !held.has(row.id));
      if (doomed.length > 0) {
        const gone = await this.dataSource.query<Array<{ id: string }>>(
          `DELETE FROM call_events WHERE occurred_at < $2 AND id = ANY($1::uuid[]) RETURNING id`,
          [doomed.map((row) => row.id), cutoff],
        );
        await holds.forgetEvents(gone.map((row) => row.id));
        deleted += gone.length;
      }
      after = batch[batch.length - 1].position;
      if (batch.length < RETENTION_BATCH) break;
    }
    return deleted;
  }

  /**
   * Deletes calls that ended before `cutoff`, with their legs, events and commands (ON DELETE
   * CASCADE). Never a live call; never one with an event younger than the cutoff (appended after
   * the end) or with a pending delivery; never one whose recording
   * still has a file (its row would go with the call and the MP3 would be left behind: recording
   * retention deletes the file first).
   */
  async deleteCalls(cutoff: Date, holds: EventHolds): Promise<{ calls: number; events: number }> {
    const deleted = { calls: 0, events: 0 };
    // the keyset's time as text: a JS Date would drop the microseconds
    let after: { createdAt: string; callUuid: string } | null = null;
    for (;;) {
      const batch: Array<{ call_uuid: string; created_key: string }> = await this.dataSource.query(
        `SELECT call_uuid, created_at::text AS created_key FROM calls
          WHERE created_at < $1 AND status = 'ended' AND ended_at < $1
            AND NOT EXISTS (SELECT 1 FROM call_events e WHERE e.call_uuid = calls.call_uuid AND e.occurred_at >= $1)
            AND ($2::timestamptz IS NULL OR (created_at, call_uuid) > ($2, $3::uuid))
          ORDER BY created_at, call_uuid LIMIT ${CALL_BATCH}`,
        [cutoff, after?.createdAt ?? null, after?.callUuid ?? null],
      );
      if (batch.length === 0) break;
      const uuids = batch.map((row) => row.call_uuid);
      const [held, keepingFiles] = await Promise.all([
        holds.heldCalls(uuids),
        this.recordings.callsKeepingFiles(uuids),
      ]);
      const doomed = uuids.filter((uuid) => !held.has(uuid) && !keepingFiles.has(uuid));
      if (doomed.length > 0) {
        const { calls, events } = await this.dataSource.transaction(async (manager) => {
          // the events explicitly, to hand their ids to the webhooks domain
          const goneEvents = await manager.query<Array<{ id: string }>>(
            `DELETE FROM call_events WHERE call_uuid = ANY($1::uuid[]) RETURNING id`,
            [doomed],
          );
          const [, count] = await manager.query<[unknown[], number]>(
            `DELETE FROM calls WHERE call_uuid = ANY($1::uuid[]) AND status = 'ended' AND ended_at < $2`,
            [doomed, cutoff],
          );
          return { calls: count, events: goneEvents.map((row) => row.id) };
        });
        await holds.forgetEvents(events);
        deleted.calls += calls;
        deleted.events += events.length;
      }
      const last = batch[batch.length - 1];
      after = { createdAt: last.created_key, callUuid: last.call_uuid };
      if (batch.length < CALL_BATCH) break;
    }
    return deleted;
  }

  /** Whether the partition holds any of these events (checked in chunks). */
  private async holdsAny(partition: string, eventIds: readonly string[]): Promise<boolean> {
    for (let i = 0; i < eventIds.length; i += RETENTION_BATCH) {
      const rows = await this.dataSource.query<unknown[]>(
        `SELECT 1 FROM ${PARTITIONS_SCHEMA}.${partition} WHERE id = ANY($1::uuid[]) LIMIT 1`,
        [eventIds.slice(i, i + RETENTION_BATCH)],
      );
      if (rows.length > 0) return true;
    }
    return false;
  }
}
