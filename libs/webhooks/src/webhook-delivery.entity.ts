import { Column, Entity, PrimaryColumn, ValueTransformer } from 'typeorm';
import { PbxEventType } from '@pbx/call-events';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** bigint ids come back from pg as strings; they stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * One request to send to one subscription: the outbox row the dispatcher claims. An event's
 * first request is row (subscription, event, 0); a format that renders more requests for the
 * event gets rows 1..N-1, written when request 0 succeeds.
 */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDelivery {
  // bigserial; rows are only ever inserted with SQL
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  id: number;

  @Column({ name: 'subscription_id', type: 'integer' })
  subscriptionId: number;

  /** call_events.id; with the request index, the webhook-id header of every attempt (outbound-request.ts) */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  /** which of the event's rendered requests (0 for the first) */
  @Column({ name: 'request_index', type: 'integer', default: 0 })
  requestIndex: number;

  @Column({ name: 'event_type', type: 'varchar', length: 40 })
  eventType: PbxEventType;

  /** null for an extension's event */
  @Column({ name: 'call_uuid', type: 'uuid', nullable: true })
  callUuid: string | null;

  @Column({ type: 'integer', nullable: true })
  sequence: number | null;

  /** the extension an extension event is about (its delivery line); null for a call's event */
  @Column({ type: 'varchar', length: 10, nullable: true })
  extension: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ name: 'attempt_count', type: 'integer', default: 0 })
  attemptCount: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  /** start of the current retry window (reset by a manual redelivery) */
  @Column({ name: 'first_attempt_at', type: 'timestamptz', nullable: true })
  firstAttemptAt: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
