import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One call detail record per click-to-call, written with the call's hangup. */
@Entity({ name: 'cdrs' })
export class Cdr {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ name: 'from_extension', type: 'varchar', length: 10 })
  fromExtension: string;

  @Column({ name: 'to_phone', type: 'varchar', length: 32 })
  toPhone: string;

  @Column({ name: 'caller_id', type: 'varchar', length: 32 })
  callerId: string;

  @Column({ name: 'trunk_id', type: 'integer', nullable: true })
  trunkId: number | null;

  @Column({ name: 'trunk_name', type: 'varchar', length: 100, nullable: true })
  trunkName: string | null;

  @Column({ name: 'routing_mode', type: 'varchar', length: 24 })
  routingMode: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz' })
  endedAt: Date;

  @Column({ type: 'integer' })
  duration: number;

  @Column({ type: 'integer' })
  billsec: number;

  @Column({ type: 'varchar', length: 16 })
  disposition: string;

  @Column({ name: 'hangup_cause', type: 'integer', nullable: true })
  hangupCause: number | null;

  @Column({ name: 'hangup_cause_text', type: 'varchar', length: 64, nullable: true })
  hangupCauseText: string | null;

  @Column({ name: 'hangup_by', type: 'varchar', length: 8, nullable: true })
  hangupBy: string | null;

  @Column({ name: 'a_leg_uuid', type: 'uuid' })
  aLegUuid: string;

  @Column({ name: 'a_started_at', type: 'timestamptz', nullable: true })
  aStartedAt: Date | null;

  @Column({ name: 'a_answered_at', type: 'timestamptz', nullable: true })
  aAnsweredAt: Date | null;

  @Column({ name: 'a_ended_at', type: 'timestamptz', nullable: true })
  aEndedAt: Date | null;

  @Column({ name: 'b_leg_uuid', type: 'uuid', nullable: true })
  bLegUuid: string | null;

  @Column({ name: 'b_started_at', type: 'timestamptz', nullable: true })
  bStartedAt: Date | null;

  @Column({ name: 'b_answered_at', type: 'timestamptz', nullable: true })
  bAnsweredAt: Date | null;

  @Column({ name: 'b_ended_at', type: 'timestamptz', nullable: true })
  bEndedAt: Date | null;

  @Column({ type: 'jsonb', default: {} })
  headers: Record<string, string>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
