import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One call detail record per call of any direction, written with the call's hangup. */
@Entity({ name: 'cdrs' })
export class Cdr {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ type: 'varchar', length: 16 })
  direction: string;

  @Column({ name: 'from_number', type: 'varchar', length: 64, nullable: true })
  fromNumber: string | null;

  @Column({ name: 'to_number', type: 'varchar', length: 64, nullable: true })
  toNumber: string | null;

  @Column({ type: 'varchar', length: 33, nullable: true })
  did: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  extension: string | null;

  @Column({ name: 'from_extension', type: 'varchar', length: 10, nullable: true })
  fromExtension: string | null;

  @Column({ name: 'to_phone', type: 'varchar', length: 32, nullable: true })
  toPhone: string | null;

  @Column({ name: 'caller_id', type: 'varchar', length: 32, nullable: true })
  callerId: string | null;

  @Column({ name: 'trunk_id', type: 'integer', nullable: true })
  trunkId: number | null;

  @Column({ name: 'trunk_name', type: 'varchar', length: 100, nullable: true })
  trunkName: string | null;

  @Column({ name: 'routing_mode', type: 'varchar', length: 24, nullable: true })
  routingMode: string | null;

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

  /** the extension whose leg a blind transfer released */
  @Column({ name: 'transferred_by', type: 'varchar', length: 10, nullable: true })
  transferredBy: string | null;

  /** the transfer's target: an extension or a number */
  @Column({ name: 'transferred_to', type: 'varchar', length: 32, nullable: true })
  transferredTo: string | null;

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

  /** a recorded call's recording (libs/recordings): its link is built from this token */
  @Column({ name: 'recording_token', type: 'varchar', length: 43, nullable: true })
  recordingToken: string | null;

  @Column({ type: 'jsonb', default: {} })
  headers: Record<string, string>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
