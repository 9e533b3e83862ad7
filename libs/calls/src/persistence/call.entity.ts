import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CallStatus } from '../state/call.state';

export type RoutingMode = 'direct_gateway' | 'dialplan_default';

export interface RouteStep {
  trunkId: number;
  trunkName: string;
  dial: string;
}

/** A click-to-call: ids are chosen by us before Asterisk is asked anything. */
@Entity({ name: 'calls' })
export class Call {
  @PrimaryColumn({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ type: 'varchar', length: 24 })
  status: CallStatus;

  @Column({ name: 'a_leg_uuid', type: 'uuid' })
  aLegUuid: string;

  /** the first B-leg attempt; failover to another trunk uses a fresh leg uuid */
  @Column({ name: 'b_leg_uuid', type: 'uuid' })
  bLegUuid: string;

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
  routingMode: RoutingMode;

  @Column({ type: 'jsonb', default: {} })
  headers: Record<string, string>;

  /** trunks to try for the B-leg, in order, with the number to dial on each */
  @Column({ name: 'route_plan', type: 'jsonb', default: [] })
  routePlan: RouteStep[];

  @Column({ name: 'token_id', type: 'integer', nullable: true })
  tokenId: number | null;

  @Column({ name: 'last_sequence', type: 'integer', default: 0 })
  lastSequence: number;

  @Column({ type: 'varchar', length: 16, nullable: true })
  disposition: string | null;

  @Column({ name: 'hangup_cause', type: 'integer', nullable: true })
  hangupCause: number | null;

  @Column({ name: 'hangup_cause_text', type: 'varchar', length: 64, nullable: true })
  hangupCauseText: string | null;

  @Column({ name: 'hangup_by', type: 'varchar', length: 8, nullable: true })
  hangupBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
