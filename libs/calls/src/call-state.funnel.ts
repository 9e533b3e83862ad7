import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CALL_EVENT_SINK, CallEvent, CallEventSink, Disposition, Leg } from '@pbx/call-events';
import { Cdr } from '@pbx/cdrs';
import { preparedQuery } from '@pbx/database';
import { MetricsService } from '@pbx/metrics';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { alreadyReached, CallStatus, canTransition } from './call.state';
import { nextEvent } from './call-event.factory';
import { callDisposition, HangupSide } from './hangup-cause';
import { CallRows } from './call-rows';

/** What happened to a call, as the orchestrator or the API saw it. */
export type CallChange =
  | { kind: 'leg_ringing'; legUuid: string; at: Date }
  | { kind: 'leg_answered'; legUuid: string; at: Date }
  | { kind: 'leg_created'; legUuid: string; leg: Leg; endpoint: string; trunkId: number | null; at: Date }
  | { kind: 'leg_ended'; legUuid: string; at: Date; cause: number | null; causeText: string | null; by?: HangupSide }
  /** the PBX gave up on the whole call (originate refused, Asterisk gone, ...) */
  | { kind: 'call_failed'; at: Date; cause: number | null; causeText: string; by?: HangupSide };

export interface FunnelResult {
  call: Call;
  legs: CallLeg[];
  events: CallEvent[];
  /** false when the change was already applied (a repeated ARI event): nothing to act on */
  changed: boolean;
}

class IllegalTransition extends Error {}

const legSnapshot = (leg: CallLeg) => JSON.stringify([leg.state, leg.ringingAt, leg.answeredAt, leg.endedAt, leg.hangupCause, leg.hangupCauseText]);

/**
 * The one place call state changes. Each change runs in one transaction with the call row
 * locked: the transition is checked against the table in call.state.ts, a change already
 * applied is a no-op (ARI may repeat itself, the worker may restart), and every event it
 * produces is stored in call_events and handed to the webhook outbox in that same transaction.
 */
@Injectable()
export class CallStateFunnel {
  private readonly logger = new Logger('calls');

  private cachedRows?: CallRows;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(CALL_EVENT_SINK) private readonly sink?: CallEventSink,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** built on first use: the entity metadata exists once the data source is initialized */
  private get rows(): CallRows {
    return (this.cachedRows ??= new CallRows(this.dataSource.manager));
  }

  /** Stores a new queued call and its A-leg in one statement (no event: `queued` is not reported). */
  async create(call: Call, aLeg: CallLeg, manager?: EntityManager): Promise<void> {
    await preparedQuery(
      manager ?? this.dataSource,
      `WITH call AS (
         INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, trunk_id, trunk_name,
                            routing_mode, headers, route_plan, token_id, last_sequence, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $14))
       INSERT INTO call_legs (leg_uuid, call_uuid, leg, endpoint, trunk_id, state, created_at)
       VALUES ($3, $1, 'a', $15, NULL, 'created', $14)`,
      [
        call.callUuid,
        call.status,
        call.aLegUuid,
        call.bLegUuid,
        call.fromExtension,
        call.toPhone,
        call.callerId,
        call.trunkId,
        call.trunkName,
        call.routingMode,
        JSON.stringify(call.headers),
        JSON.stringify(call.routePlan),
        call.tokenId,
        call.createdAt,
        aLeg.endpoint,
      ],
    );
    this.logger.log(`call ${call.callUuid} queued: ${call.fromExtension} → ${call.toPhone} (${call.routingMode}${call.trunkName ? ` via ${call.trunkName}` : ''}, caller id ${call.callerId})`);
  }

  async apply(callUuid: string, change: CallChange): Promise<FunnelResult | null> {
    const result = await this.applyInTransaction(callUuid, change);
    if (result?.changed && result.call.status === CallStatus.Ended) this.metrics?.calls.inc({ outcome: result.call.disposition ?? 'FAILED' });
    return result;
  }

  private async applyInTransaction(callUuid: string, change: CallChange): Promise<FunnelResult | null> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const locked = await this.rows.lock(manager, callUuid);
        if (!locked) return null;
        const { call, legs } = locked;
        const before = new Map(legs.map((l) => [l.legUuid, legSnapshot(l)]));
        const events: CallEvent[] = [];
        const changed = this.applyTo(call, legs, change, events);
        if (!changed) return { call, legs, events, changed };
        if (call.status === CallStatus.Ended && events.some((e) => e.type === 'pbx.call.hangup')) {
          await this.writeCdr(manager, call, legs, events);
        }
        call.updatedAt = change.at;
        // explicit writes of what changed: save() would first re-read every row
        await this.rows.updateCall(manager, call);
        for (const leg of legs) {
          const previous = before.get(leg.legUuid);
          if (previous === undefined) await this.rows.insertLeg(manager, leg);
          else if (previous !== legSnapshot(leg)) await this.rows.updateLeg(manager, leg);
        }
        for (const event of events) await this.store(manager, event);
        return { call, legs, events, changed };
      });
    } catch (error) {
      if (error instanceof IllegalTransition) {
        this.logger.warn(`call ${callUuid}: ${error.message}; change ignored`);
        return null;
      }
      throw error;
    }
  }

  private applyTo(call: Call, legs: CallLeg[], change: CallChange, events: CallEvent[]): boolean {
    if (call.status === CallStatus.Ended) return false; // nothing changes an ended call
    if (change.kind === 'call_failed') {
      for (const leg of legs.filter((l) => l.state !== 'ended')) {
        Object.assign(leg, { state: 'ended', endedAt: change.at, hangupCause: change.cause, hangupCauseText: change.causeText });
      }
      this.end(call, legs, change.at, { cause: change.cause, causeText: change.causeText, by: change.by ?? 'system' }, events);
      return true;
    }
    if (change.kind === 'leg_created') {
      if (legs.some((l) => l.legUuid === change.legUuid)) return false;
      const leg = Object.assign(new CallLeg(), {
        legUuid: change.legUuid,
        callUuid: call.callUuid,
        leg: change.leg,
        endpoint: change.endpoint,
        trunkId: change.trunkId,
        state: 'created',
        createdAt: change.at,
        ringingAt: null,
        answeredAt: null,
        endedAt: null,
        hangupCause: null,
        hangupCauseText: null,
      } satisfies CallLeg);
      legs.push(leg);
      // a routed call reports the trunk its B-leg dials (the 202 had none; failover moves it on)
      if (change.leg === 'b' && call.routingMode === 'dialplan_default' && change.trunkId !== null) {
        call.trunkId = change.trunkId;
        call.trunkName = call.routePlan.find((step) => step.trunkId === change.trunkId)?.trunkName ?? null;
      }
      return true;
    }
    const leg = legs.find((l) => l.legUuid === change.legUuid);
    if (!leg) return false;
    const ref = { leg: leg.leg, uuid: leg.legUuid };
    switch (change.kind) {
      case 'leg_ringing': {
        if (leg.state !== 'created') return false;
        leg.state = 'ringing';
        leg.ringingAt = change.at;
        if (leg.leg === 'a') this.transition(call, CallStatus.Ringing, () => events.push(nextEvent(call, 'pbx.call.ringing', change.at, ref)));
        else this.transition(call, CallStatus.CustomerRinging);
        return true;
      }
      case 'leg_answered': {
        if (leg.state === 'answered' || leg.state === 'ended') return false;
        leg.state = 'answered';
        leg.ringingAt ??= change.at;
        leg.answeredAt = change.at;
        if (leg.leg === 'a') {
          // a phone that answers without a 180 still gives the CRM ringing before answered
          this.transition(call, CallStatus.Ringing, () => events.push(nextEvent(call, 'pbx.call.ringing', change.at, ref)));
          this.transition(call, CallStatus.AgentAnswered, () => events.push(nextEvent(call, 'pbx.call.answered', change.at, ref)));
        } else {
          this.transition(call, CallStatus.Answered, () => events.push(nextEvent(call, 'pbx.call.answered', change.at, ref)));
        }
        return true;
      }
      case 'leg_ended': {
        if (leg.state === 'ended') return false;
        const firstToEnd = legs.every((l) => l.state !== 'ended');
        Object.assign(leg, { state: 'ended', endedAt: change.at, hangupCause: change.cause, hangupCauseText: change.causeText });
        if (firstToEnd) {
          call.hangupCause = change.cause;
          call.hangupCauseText = change.causeText;
          call.hangupBy = change.by ?? leg.leg;
        }
        if (legs.every((l) => l.state === 'ended')) {
          this.end(call, legs, change.at, { cause: call.hangupCause, causeText: call.hangupCauseText, by: (call.hangupBy ?? leg.leg) as HangupSide }, events);
        }
        return true;
      }
    }
  }

  /** Moves the call to `to` unless it is already there or past it; runs `onEnter` when it moves. */
  private transition(call: Call, to: CallStatus, onEnter?: () => void): void {
    if (alreadyReached(call.status, to)) return;
    if (!canTransition(call.status, to)) throw new IllegalTransition(`${call.status} → ${to} is not a legal transition`);
    call.status = to;
    onEnter?.();
  }

  private end(call: Call, legs: CallLeg[], at: Date, hangup: { cause: number | null; causeText: string | null; by: HangupSide }, events: CallEvent[]): void {
    const a = legs.find((l) => l.leg === 'a');
    const bLegs = legs.filter((l) => l.leg === 'b');
    const b = bLegs.find((l) => l.answeredAt) ?? bLegs[bLegs.length - 1] ?? null;
    const firstEnded = Math.min(...legs.map((l) => l.endedAt?.getTime() ?? Infinity));
    const disposition = callDisposition(
      { answered: !!a?.answeredAt, cause: a?.hangupCause ?? hangup.cause, endedFirst: hangup.by === 'a' || (a?.endedAt?.getTime() ?? Infinity) <= firstEnded },
      b ? { answered: !!b.answeredAt, cause: b.hangupCause ?? hangup.cause, endedFirst: hangup.by === 'b' } : null,
    );
    call.status = CallStatus.Ended;
    call.disposition = disposition;
    call.hangupCause = hangup.cause;
    call.hangupCauseText = hangup.causeText;
    call.hangupBy = hangup.by;
    call.endedAt = new Date(Math.max(at.getTime(), ...legs.map((l) => l.endedAt?.getTime() ?? 0)));
    const ref = hangup.by === 'b' && b ? { leg: 'b' as const, uuid: b.legUuid } : a ? { leg: 'a' as const, uuid: a.legUuid } : null;
    events.push(nextEvent(call, 'pbx.call.hangup', call.endedAt, ref, { hangup: { disposition, cause: hangup.cause, cause_text: hangup.causeText, hangup_by: hangup.by } }));
    this.logger.log(`call ${call.callUuid} ended: ${disposition}, cause ${hangup.cause ?? '-'} (${hangup.causeText ?? ''}), hung up by ${hangup.by}`);
  }

  /** Exactly one CDR per call (unique on call_uuid), then its pbx.cdr.created event. */
  private async writeCdr(manager: EntityManager, call: Call, legs: CallLeg[], events: CallEvent[]): Promise<void> {
    const a = legs.find((l) => l.leg === 'a') ?? null;
    const bLegs = legs.filter((l) => l.leg === 'b');
    const b = bLegs.find((l) => l.answeredAt) ?? bLegs[bLegs.length - 1] ?? null;
    const startedAt = call.createdAt;
    const endedAt = call.endedAt ?? new Date();
    const answeredAt = b?.answeredAt ?? null;
    const cdr: Partial<Cdr> = {
      callUuid: call.callUuid,
      fromExtension: call.fromExtension,
      toPhone: call.toPhone,
      callerId: call.callerId,
      trunkId: b?.trunkId ?? call.trunkId,
      trunkName: call.trunkName,
      routingMode: call.routingMode,
      startedAt,
      answeredAt,
      endedAt,
      duration: Math.max(0, Math.round((endedAt.getTime() - startedAt.getTime()) / 1000)),
      billsec: answeredAt ? Math.max(0, Math.round((endedAt.getTime() - answeredAt.getTime()) / 1000)) : 0,
      disposition: call.disposition ?? 'FAILED',
      hangupCause: call.hangupCause,
      hangupCauseText: call.hangupCauseText,
      hangupBy: call.hangupBy,
      aLegUuid: call.aLegUuid,
      aStartedAt: a?.createdAt ?? null,
      aAnsweredAt: a?.answeredAt ?? null,
      aEndedAt: a?.endedAt ?? null,
      bLegUuid: b?.legUuid ?? null,
      bStartedAt: b?.createdAt ?? null,
      bAnsweredAt: b?.answeredAt ?? null,
      bEndedAt: b?.endedAt ?? null,
      headers: call.headers,
    };
    const inserted = await manager.createQueryBuilder().insert().into(Cdr).values(cdr).orIgnore().returning('id').execute();
    if (inserted.identifiers.length === 0 || !inserted.raw?.length) return;
    events.push(
      nextEvent(call, 'pbx.cdr.created', endedAt, { leg: 'a', uuid: call.aLegUuid }, {
        hangup: events.find((e) => e.type === 'pbx.call.hangup')?.hangup,
        cdr: {
          started_at: startedAt.toISOString(),
          answered_at: answeredAt?.toISOString() ?? null,
          ended_at: endedAt.toISOString(),
          duration: cdr.duration ?? 0,
          billsec: cdr.billsec ?? 0,
          disposition: (call.disposition ?? 'FAILED') as Disposition,
        },
      }),
    );
  }

  private async store(manager: EntityManager, event: CallEvent): Promise<void> {
    await preparedQuery(
      manager,
      `INSERT INTO call_events (id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [event.id, event.call_uuid, event.sequence, event.type, event.leg, event.leg_uuid, event.occurred_at, JSON.stringify(event)],
    );
    await this.sink?.enqueue(manager, event);
  }
}
