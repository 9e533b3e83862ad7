import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Leg } from '@pbx/call-events';
import { LegState } from '../state/leg.state';

export type { LegState };

/**
 * One channel of a call: our uuid, and Asterisk's channel id beside it (the same for the legs we
 * create; Asterisk's own for a channel that called in). `leg` is `a` for the caller's leg, `b` for
 * each callee's (the database also keeps it as `role`, caller/callee).
 */
@Entity({ name: 'call_legs' })
export class CallLeg {
  @PrimaryColumn({ name: 'leg_uuid', type: 'uuid' })
  legUuid: string;

  @Column({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ name: 'channel_id', type: 'varchar', length: 64 })
  channelId: string;

  @Column({ type: 'char', length: 1 })
  leg: Leg;

  /** the extension this leg rings or calls from, null for a trunk's leg */
  @Column({ type: 'varchar', length: 10, nullable: true })
  extension: string | null;

  @Column({ type: 'varchar', length: 200 })
  endpoint: string;

  @Column({ name: 'trunk_id', type: 'integer', nullable: true })
  trunkId: number | null;

  @Column({ type: 'varchar', length: 16, default: 'created' })
  state: LegState;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ringing_at', type: 'timestamptz', nullable: true })
  ringingAt: Date | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'hangup_cause', type: 'integer', nullable: true })
  hangupCause: number | null;

  @Column({ name: 'hangup_cause_text', type: 'varchar', length: 64, nullable: true })
  hangupCauseText: string | null;

  /** left the call by a transfer: its end says nothing of the call */
  @Column({ type: 'boolean', default: false })
  released: boolean;

  /** this leg holds: the other side hears music on hold, this leg's audio is not passed */
  @Column({ name: 'on_hold', type: 'boolean', default: false })
  onHold: boolean;
}

/** A leg just created: nothing has happened to it yet. */
export function newLeg(
  fields: Pick<
    CallLeg,
    'legUuid' | 'channelId' | 'callUuid' | 'leg' | 'extension' | 'endpoint' | 'trunkId' | 'createdAt'
  >,
): CallLeg {
  return Object.assign(new CallLeg(), {
    ...fields,
    state: 'created',
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    hangupCause: null,
    hangupCauseText: null,
    released: false,
    onHold: false,
  } satisfies Omit<CallLeg, keyof typeof fields>);
}
