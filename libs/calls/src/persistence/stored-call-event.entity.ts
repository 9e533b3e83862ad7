import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CallEvent, CallEventType, Leg } from '@pbx/call-events';

/** The per-call event stream, written in the same transaction as the state change it reports. */
@Entity({ name: 'call_events' })
export class StoredCallEvent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ type: 'integer' })
  sequence: number;

  @Column({ type: 'varchar', length: 40 })
  type: CallEventType;

  @Column({ type: 'char', length: 1, nullable: true })
  leg: Leg | null;

  @Column({ name: 'leg_uuid', type: 'uuid', nullable: true })
  legUuid: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'jsonb' })
  payload: CallEvent;
}
