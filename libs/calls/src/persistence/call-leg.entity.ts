import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Leg } from '@pbx/call-events';
import { LegState } from '../state/leg.state';

export type { LegState };

/** One channel of a call; its uuid is the Asterisk channel id. */
@Entity({ name: 'call_legs' })
export class CallLeg {
  @PrimaryColumn({ name: 'leg_uuid', type: 'uuid' })
  legUuid: string;

  @Column({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ type: 'char', length: 1 })
  leg: Leg;

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
}

/** A leg just created: nothing has happened to it yet. */
export function newLeg(
  fields: Pick<CallLeg, 'legUuid' | 'callUuid' | 'leg' | 'endpoint' | 'trunkId' | 'createdAt'>,
): CallLeg {
  return Object.assign(new CallLeg(), {
    ...fields,
    state: 'created',
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    hangupCause: null,
    hangupCauseText: null,
  } satisfies Omit<CallLeg, keyof typeof fields>);
}
