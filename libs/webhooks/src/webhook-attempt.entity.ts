import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './webhook-delivery.entity';

/** One HTTP request made for a delivery, whatever came of it. */
@Entity({ name: 'webhook_attempts' })
export class WebhookAttempt {
  // bigserial; rows are only ever inserted with SQL
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  id: number;

  @Column({ name: 'delivery_id', type: 'bigint', transformer: bigintAsNumber })
  deliveryId: number;

  @Column({ type: 'integer' })
  attempt: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'response_body', type: 'varchar', length: 1024, nullable: true })
  responseBody: string | null;
}
