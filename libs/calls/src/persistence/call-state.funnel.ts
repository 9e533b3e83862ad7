import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CALL_EVENT_SINK, CallEvent, CallEventSink } from '@pbx/call-events';
import { CdrWriter } from '@pbx/cdrs';
import { preparedQuery } from '@pbx/database';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { CallRows } from './call-rows';
import { cdrInputOf } from './cdr-input';
import { CallChange } from '../state/call-change';
import { nextEvent } from '../state/call-event.factory';
import { CallStatus } from '../state/call.state';
import { decide, Decision } from '../state/decide';

const legSnapshot = (leg: CallLeg) =>
  JSON.stringify([leg.state, leg.ringingAt, leg.answeredAt, leg.endedAt, leg.hangupCause, leg.hangupCauseText]);

/**
 * The one place call state changes: a thin transaction around `decide` (state/decide.ts).
 * The call row is locked, the decision is written (call, changed legs, events), the events are
 * handed to the webhook outbox and, when the call ends, its CDR is written, all in that one
 * transaction. The event sink is required: an app without the outbox does not boot.
 */
@Injectable()
export class CallStateFunnel {
  private readonly logger = new Logger('calls');
  private cachedRows?: CallRows;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CALL_EVENT_SINK) private readonly sink: CallEventSink,
    private readonly cdrs: CdrWriter,
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
    this.logger.log(
      `call ${call.callUuid} queued: ${call.fromExtension} → ${call.toPhone} (${call.routingMode}${call.trunkName ? ` via ${call.trunkName}` : ''}, caller id ${call.callerId})`,
    );
  }

  /** Applies one change; null when the call is unknown. `changed: false` means nothing to act on. */
  async apply(callUuid: string, change: CallChange): Promise<Decision | null> {
    const decision = await this.dataSource.transaction(async (manager) => {
      const locked = await this.rows.lock(manager, callUuid);
      if (!locked) return null;
      const decided = decide(locked.call, locked.legs, change);
      if (decided.changed) await this.write(manager, decided, locked.legs);
      return decided;
    });
    if (decision?.illegal) this.logger.warn(`call ${callUuid}: ${decision.illegal}; ${change.kind} ignored`);
    if (decision?.callMove?.to === CallStatus.Ended) {
      const { call } = decision;
      this.logger.log(
        `call ${callUuid} ended: ${call.disposition}, cause ${call.hangupCause ?? '-'} (${call.hangupCauseText ?? ''}), hung up by ${call.hangupBy}`,
      );
    }
    return decision;
  }

  private async write(manager: EntityManager, decision: Decision, before: CallLeg[]): Promise<void> {
    const { call, legs, events } = decision;
    if (call.status === CallStatus.Ended && events.some((e) => e.type === 'pbx.call.hangup'))
      await this.recordCdr(manager, call, legs, events);
    // explicit writes of what changed: save() would first re-read every row
    await this.rows.updateCall(manager, call);
    const previous = new Map(before.map((l) => [l.legUuid, legSnapshot(l)]));
    for (const leg of legs) {
      const old = previous.get(leg.legUuid);
      if (old === undefined) await this.rows.insertLeg(manager, leg);
      else if (old !== legSnapshot(leg)) await this.rows.updateLeg(manager, leg);
    }
    for (const event of events) await this.store(manager, event);
  }

  /** Exactly one CDR per call (libs/cdrs), then its pbx.cdr.created event. */
  private async recordCdr(manager: EntityManager, call: Call, legs: CallLeg[], events: CallEvent[]): Promise<void> {
    const cdr = await this.cdrs.record(manager, cdrInputOf(call, legs));
    if (!cdr) return;
    const hangup = events.find((e) => e.type === 'pbx.call.hangup')?.hangup;
    events.push(
      nextEvent(
        call,
        'pbx.cdr.created',
        call.endedAt ?? new Date(),
        { leg: 'a', uuid: call.aLegUuid },
        { hangup, cdr },
      ),
    );
  }

  private async store(manager: EntityManager, event: CallEvent): Promise<void> {
    await preparedQuery(
      manager,
      `INSERT INTO call_events (id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        event.id,
        event.call_uuid,
        event.sequence,
        event.type,
        event.leg,
        event.leg_uuid,
        event.occurred_at,
        JSON.stringify(event),
      ],
    );
    await this.sink.enqueue(manager, event);
  }
}
