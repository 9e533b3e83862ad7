import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CallStatus } from '../state/call.state';

export type RoutingMode = 'direct_gateway' | 'dialplan_default';

export type CallDirection = 'click_to_call' | 'inbound' | 'outbound' | 'internal';
export const CALL_DIRECTIONS: readonly CallDirection[] = ['click_to_call', 'inbound', 'outbound', 'internal'];

/** Who a call rings: the extensions of an inbound route's destination, or the one dialled. */
export interface RingPlan {
  strategy: 'ringall' | 'sequential';
  /** extension numbers, in order */
  members: string[];
  /** seconds each member rings (sequential) */
  memberTimeout: number;
  /** seconds the whole group rings */
  ringTimeout: number;
  /** the ring group, when the destination is one */
  ringGroupId?: number;
}

export interface RouteStep {
  trunkId: number;
  trunkName: string;
  dial: string;
}

/**
 * A call of any direction. A click-to-call's ids are chosen by us before Asterisk is asked
 * anything; the fields only a click-to-call has are null for the others.
 */
@Entity({ name: 'calls' })
export class Call {
  @PrimaryColumn({ name: 'call_uuid', type: 'uuid' })
  callUuid: string;

  @Column({ type: 'varchar', length: 24 })
  status: CallStatus;

  @Column({ type: 'varchar', length: 16 })
  direction: CallDirection;

  /** SPEC section 2: who called, what was dialled, the DID, the extension the call is about */
  @Column({ name: 'from_number', type: 'varchar', length: 64, nullable: true })
  fromNumber: string | null;

  @Column({ name: 'to_number', type: 'varchar', length: 64, nullable: true })
  toNumber: string | null;

  @Column({ type: 'varchar', length: 33, nullable: true })
  did: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  extension: string | null;

  /** the extensions an inbound or internal call rings */
  @Column({ name: 'ring_plan', type: 'jsonb', nullable: true })
  ringPlan: RingPlan | null;

  /** the callee leg whose answer won the call */
  @Column({ name: 'answered_leg_uuid', type: 'uuid', nullable: true })
  answeredLegUuid: string | null;

  @Column({ name: 'a_leg_uuid', type: 'uuid' })
  aLegUuid: string;

  /** the first B-leg attempt; failover to another trunk uses a fresh leg uuid */
  @Column({ name: 'b_leg_uuid', type: 'uuid', nullable: true })
  bLegUuid: string | null;

  @Column({ name: 'from_extension', type: 'varchar', length: 10, nullable: true })
  fromExtension: string | null;

  @Column({ name: 'to_phone', type: 'varchar', length: 32, nullable: true })
  toPhone: string | null;

  /** the caller id shown on the leg through the trunk (click-to-call, outbound) */
  @Column({ name: 'caller_id', type: 'varchar', length: 32, nullable: true })
  callerId: string | null;

  @Column({ name: 'trunk_id', type: 'integer', nullable: true })
  trunkId: number | null;

  @Column({ name: 'trunk_name', type: 'varchar', length: 100, nullable: true })
  trunkName: string | null;

  @Column({ name: 'routing_mode', type: 'varchar', length: 24, nullable: true })
  routingMode: RoutingMode | null;

  @Column({ type: 'jsonb', default: {} })
  headers: Record<string, string>;

  /** trunks to try for the B-leg, in order, with the number to dial on each */
  @Column({ name: 'route_plan', type: 'jsonb', default: [] })
  routePlan: RouteStep[];

  @Column({ name: 'token_id', type: 'integer', nullable: true })
  tokenId: number | null;

  @Column({ name: 'last_sequence', type: 'integer', default: 0 })
  lastSequence: number;

  /** the number of core events so far (every event but started, leg_ended and external ringing) */
  @Column({ name: 'last_core_sequence', type: 'integer', default: 0 })
  lastCoreSequence: number;

  @Column({ type: 'varchar', length: 16, nullable: true })
  disposition: string | null;

  @Column({ name: 'hangup_cause', type: 'integer', nullable: true })
  hangupCause: number | null;

  @Column({ name: 'hangup_cause_text', type: 'varchar', length: 64, nullable: true })
  hangupCauseText: string | null;

  @Column({ name: 'hangup_by', type: 'varchar', length: 8, nullable: true })
  hangupBy: string | null;

  /** the leg the last transfer dials (it replaces the released leg once it answers) */
  @Column({ name: 'transfer_leg_uuid', type: 'uuid', nullable: true })
  transferLegUuid: string | null;

  /** the extension whose leg a transfer released */
  @Column({ name: 'transferred_by', type: 'varchar', length: 10, nullable: true })
  transferredBy: string | null;

  /** where the transfer went: an extension or a number */
  @Column({ name: 'transferred_to', type: 'varchar', length: 32, nullable: true })
  transferredTo: string | null;

  /** recorded from its bridge on: asked by the click-to-call request, the inbound route or an extension */
  @Column({ type: 'boolean', default: false })
  record: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}
