import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PbxEventType, StoredEventRecord } from '@pbx/call-events';
import { preparedQuery } from '@pbx/database';
import { AttemptResult, Verdict } from './retry-policy';

/** A delivery the dispatcher owns until its lease runs out, with what it needs to send it. */
export interface ClaimedDelivery {
  id: number;
  subscriptionId: number;
  eventId: string;
  eventType: PbxEventType;
  /** null for an extension's event (which names `extension` instead) */
  callUuid: string | null;
  sequence: number | null;
  extension: string | null;
  /** which of the event's rendered requests this row sends (0 for the first) */
  requestIndex: number;
  /** this attempt's number */
  attempt: number;
  firstAttemptAt: Date;
  /** the database clock at the claim, so the retry window ignores clock skew */
  claimedAt: Date;
  url: string;
  secret: string;
  format: string;
  /** the stored event, rendered at send time */
  payload: StoredEventRecord;
}

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  result: AttemptResult;
}

const SKIPPED_BEHIND = 'not sent: an earlier event of this call was not delivered';

/** A success that makes the rows of the event's next requests (see `record`). */
const FOLLOWERS = `INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, call_uuid, sequence, extension, request_index)
  SELECT done.subscription_id, done.event_id, done.event_type, done.call_uuid, done.sequence, done.extension, i
    FROM done, generate_series(done.request_index + 1, $8::integer - 1) AS i
  ON CONFLICT ON CONSTRAINT uq_webhook_deliveries_request DO NOTHING
  RETURNING 1`;

/** The outbox queries of the consumer side: claiming and recording, in SQL the indexes serve. */
@Injectable()
export class WebhookDeliveryStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` due deliveries. Only the head of each (subscription, call) line is
   * eligible: nothing is sent while an earlier event of the same call, or an earlier request of
   * the same event, is still pending for that subscription. An extension's events (no call) form
   * their own line per (subscription, extension), in delivery id order (the watcher stores one
   * extension's changes one transaction after the other, so ids follow the changes); a failed
   * one does not hold back the next (each carries the state and the previous state). SKIP LOCKED keeps concurrent
   * workers off each other's rows, and the lease (next_attempt_at pushed past the request
   * timeout) keeps them off after commit; a worker that dies mid-request leaves the delivery to
   * be retried when the lease ends.
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const { rows } = await preparedQuery(
      this.dataSource,
      `WITH due AS (
         SELECT d.id
           FROM webhook_deliveries d
           JOIN webhook_subscriptions s ON s.id = d.subscription_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND s.active
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
               WHERE p.subscription_id = d.subscription_id AND p.call_uuid = d.call_uuid
                 AND (p.sequence, p.request_index) < (d.sequence, d.request_index) AND p.status = 'pending')
            AND (d.extension IS NULL OR NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
               WHERE p.subscription_id = d.subscription_id AND p.extension = d.extension
                 AND p.id < d.id AND p.status = 'pending'))
          ORDER BY d.next_attempt_at, d.id
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d
            SET attempt_count = d.attempt_count + 1,
                first_attempt_at = COALESCE(d.first_attempt_at, now()),
                last_attempt_at = now(),
                next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
           FROM due
          WHERE d.id = due.id
         RETURNING d.*
       )
       SELECT c.id, c.subscription_id, c.event_id, c.event_type, c.call_uuid, c.sequence, c.extension, c.request_index, c.attempt_count,
              c.first_attempt_at, now() AS claimed_at, s.url, s.secret, s.format, e.payload
         FROM claimed c
         JOIN webhook_subscriptions s ON s.id = c.subscription_id
         JOIN call_events e ON e.id = c.event_id
        ORDER BY c.id`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      subscriptionId: row.subscription_id as number,
      eventId: row.event_id as string,
      eventType: row.event_type as PbxEventType,
      callUuid: row.call_uuid as string | null,
      sequence: row.sequence as number | null,
      extension: row.extension as string | null,
      requestIndex: row.request_index as number,
      attempt: row.attempt_count as number,
      firstAttemptAt: row.first_attempt_at as Date,
      claimedAt: row.claimed_at as Date,
      url: row.url as string,
      secret: row.secret as string,
      format: row.format as string,
      payload: row.payload as StoredEventRecord,
    }));
  }

  /**
   * Logs the attempt and applies the verdict, unless the claim went stale meanwhile (the lease
   * ran out and another worker took the delivery over): then only the log line is written.
   *
   * `requestCount` is how many requests the event rendered to. The outbox only knows the event
   * (rendering is at send time), so it writes request 0's row; the rows of requests 1..N-1 are
   * written here, in the statement that records request 0's success. Until then the event's
   * line is held by request 0 itself, and from then on by request 1 (the claim orders by
   * sequence, then request index), so no later event can slip in between; and retries, the
   * give-up and redelivery work per row exactly as for single requests. Any later success that
   * finds rows missing (the rendering grew since) adds them the same way.
   */
  async record(
    delivery: ClaimedDelivery,
    attempt: AttemptRecord,
    verdict: Verdict,
    requestCount = delivery.requestIndex + 1,
  ): Promise<void> {
    const { result } = attempt;
    const status = result.kind === 'response' ? result.status : null;
    const error = truncate(
      result.kind === 'error' ? result.error : verdict.kind === 'failed' ? verdict.reason : null,
      500,
    );
    const attemptRow = [
      delivery.id,
      delivery.attempt,
      attempt.startedAt,
      attempt.durationMs,
      status,
      error,
      result.kind === 'response' ? result.body : null,
    ];
    // the subscription (and its deliveries) may have been deleted while the request ran
    const logAttempt = `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, response_status, error, response_body)
         SELECT $1::bigint, $2::integer, $3::timestamptz, $4::integer, $5::integer, $6::varchar, $7::varchar
          WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $1::bigint)`;
    const owned = `WHERE id = $1::bigint AND attempt_count = $2::integer AND status = 'pending'`;
    if (verdict.kind === 'succeeded' && requestCount > delivery.requestIndex + 1) {
      await preparedQuery(
        this.dataSource,
        `WITH attempt AS (${logAttempt}),
         done AS (UPDATE webhook_deliveries SET status = 'succeeded', completed_at = now(), last_status = $5::integer, last_error = $6::varchar ${owned}
                  RETURNING subscription_id, event_id, event_type, call_uuid, sequence, extension, request_index),
         followers AS (${FOLLOWERS})
         SELECT count(*) FROM followers`,
        [...attemptRow, requestCount],
      );
      return;
    }
    if (verdict.kind !== 'failed') {
      // the common outcomes: the attempt and the delivery's new state in one statement (one round trip)
      const next =
        verdict.kind === 'succeeded'
          ? `status = 'succeeded', completed_at = now()`
          : `next_attempt_at = now() + make_interval(secs => $8::double precision / 1000)`;
      await preparedQuery(
        this.dataSource,
        `WITH attempt AS (${logAttempt})
         UPDATE webhook_deliveries SET ${next}, last_status = $5::integer, last_error = $6::varchar ${owned}`,
        verdict.kind === 'succeeded' ? attemptRow : [...attemptRow, verdict.delayMs],
      );
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(logAttempt, attemptRow);
      const [, affected]: [unknown, number] = await manager.query(
        `UPDATE webhook_deliveries SET status = 'failed', completed_at = now(), last_status = $3, last_error = $4 WHERE id = $1 AND attempt_count = $2 AND status = 'pending'`,
        [delivery.id, delivery.attempt, status, error],
      );
      if (affected > 0) await this.giveUpBehind(manager, delivery, verdict);
    });
  }

  /**
   * A delivery whose rendering has no request at its index (a format that sends nothing for
   * this event) is complete without one: no attempt is logged, and the claim is not counted.
   */
  async completeUnsent(delivery: ClaimedDelivery): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_deliveries SET status = 'succeeded', completed_at = now(), attempt_count = $2 - 1
        WHERE id = $1 AND attempt_count = $2 AND status = 'pending'`,
      [delivery.id, delivery.attempt],
    );
  }

  /** Later events (and requests) of the call must not overtake the failed one; after a 410 nothing more goes. */
  private async giveUpBehind(
    manager: EntityManager,
    delivery: ClaimedDelivery,
    verdict: Extract<Verdict, { kind: 'failed' }>,
  ): Promise<void> {
    if (delivery.callUuid === null && !verdict.gone) return; // an extension's event: nothing behind it waits
    if (verdict.gone) {
      await manager.query(
        `UPDATE webhook_subscriptions SET active = false, disabled_reason = $2, updated_at = now() WHERE id = $1`,
        [delivery.subscriptionId, verdict.reason],
      );
      await manager.query(
        `UPDATE webhook_deliveries SET status = 'skipped', completed_at = now(), last_error = $2
          WHERE subscription_id = $1 AND status = 'pending'`,
        [delivery.subscriptionId, `not sent: subscription deactivated (${verdict.reason})`],
      );
      return;
    }
    await manager.query(
      `UPDATE webhook_deliveries SET status = 'skipped', completed_at = now(), last_error = $4
        WHERE subscription_id = $1 AND call_uuid = $2 AND (sequence, request_index) > ($3, $5) AND status = 'pending'`,
      [delivery.subscriptionId, delivery.callUuid, delivery.sequence, SKIPPED_BEHIND, delivery.requestIndex],
    );
  }
}

export function truncate(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
