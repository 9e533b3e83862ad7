import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CallEvent, CallEventType, Leg } from '@pbx/call-events';

/**
 * The stored events, written in the same transaction as the change they report: a call's, or
 * an extension's (`pbx.extension.state_changed`: no call, no sequence). Partitioned by month
 * of `occurred_at`; `position` and `xact_id` (database defaults) order the real-time stream.
 */
@Entity({ name: 'call_events' })
export class StoredCallEvent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @PrimaryColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'bigint', insert: false, update: false })
  position: string;

  @Column({ name: 'call_uuid', type: 'uuid', nullable: true })
  callUuid: string | null;

  @Column({ type: 'integer', nullable: true })
  sequence: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  extension: string | null;

  @Column({ type: 'varchar', length: 40 })
  type: CallEventType;

  @Column({ type: 'char', length: 1, nullable: true })
  leg: Leg | null;

  @Column({ name: 'leg_uuid', type: 'uuid', nullable: true })
  legUuid: string | null;

  @Column({ type: 'jsonb' })
  payload: CallEvent;
}
