import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CALL_EVENT_SINK, CallEvent, CallEventSink, CallEventType, EVENTS_CHANNEL } from '@pbx/call-events';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { RecordingRows, recordingUrl } from '@pbx/recordings';
import { CdrWriter } from '@pbx/cdrs';
import { preparedQuery } from '@pbx/database';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { CallRows } from './call-rows';
import { cdrInputOf } from './cdr-input';
import { CallChange } from '../state/call-change';
import { EventExtra, nextEvent } from '../state/call-event.factory';
import { CallStatus } from '../state/call.state';
import { decide, Decision } from '../state/decide';

const legSnapshot = (leg: CallLeg) =>
  JSON.stringify([
    leg.state,
    leg.ringingAt,
    leg.answeredAt,
    leg.endedAt,
    leg.hangupCause,
    leg.hangupCauseText,
    leg.released,
    leg.onHold,
  ]);

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
    private readonly recordings: RecordingRows,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** built on first use: the entity metadata exists once the data source is initialized */
  private get rows(): CallRows {
    return (this.cachedRows ??= new CallRows(this.dataSource.manager));
  }

  /**
   * Stores a new queued call, its caller's leg and its `pbx.call.started` event (`queued` itself
   * is not reported), in the caller's transaction when given one.
   */
  async create(call: Call, caller: CallLeg, manager?: EntityManager): Promise<void> {
    const write = (tx: EntityManager) => this.insertStarted(tx, call, caller);
    if (manager) await write(manager);
    else await this.dataSource.transaction(write);
    this.logger.log(
      `call ${call.callUuid} queued (${call.direction}): ${call.fromNumber} → ${call.toNumber}${call.did ? ` (DID ${call.did})` : ''}${call.trunkName ? ` via ${call.trunkName}` : ''}${call.callerId ? `, caller id ${call.callerId}` : ''}`,
    );
  }

  /**
   * A call that happened without the worker, recorded from Asterisk's log (recovery/): in one
   * transaction, `claim` (false: already recorded, nothing is written), the call and its
   * `started`, then each change through `decide` as if it had been seen live, down to the
   * hangup, the CDR and `cdr.created`. True when written.
   */
  async recover(
    call: Call,
    caller: CallLeg,
    changes: readonly CallChange[],
    claim: (manager: EntityManager) => Promise<boolean>,
  ): Promise<boolean> {
    const ended = await this.dataSource.transaction(async (manager) => {
      if (!(await claim(manager))) return null;
      await this.insertStarted(manager, call, caller);
      let state = { call, legs: [caller] };
      for (const change of changes) {
        const decided = decide(state.call, state.legs, change);
        if (!decided.changed) continue;
        await this.write(manager, decided, state.legs);
        state = decided;
      }
      return state.call;
    });
    if (ended)
      this.logger.log(
        `call ${call.callUuid} recovered from CEL (${call.direction}): ${call.fromNumber} → ${call.toNumber}, ${ended.disposition ?? ended.status}, cause ${ended.hangupCause ?? '-'}, hung up by ${ended.hangupBy ?? '-'}`,
      );
    return ended !== null;
  }

  private async insertStarted(tx: EntityManager, call: Call, caller: CallLeg): Promise<void> {
    const started = nextEvent(call, 'pbx.call.started', call.createdAt, { leg: 'a', uuid: caller.legUuid });
    await preparedQuery(
      tx,
      `WITH call AS (
           INSERT INTO calls (call_uuid, status, direction, from_number, to_number, did, extension, ring_plan,
                              a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, trunk_id, trunk_name,
                              routing_mode, headers, route_plan, token_id, last_sequence, last_core_sequence,
                              created_at, updated_at, record)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $26))
         INSERT INTO call_legs (leg_uuid, channel_id, call_uuid, leg, extension, endpoint, trunk_id, state, created_at)
         VALUES ($9, $23, $1, 'a', $24, $25, NULL, 'created', $22)`,
      [
        call.callUuid,
        call.status,
        call.direction,
        call.fromNumber,
        call.toNumber,
        call.did,
        call.extension,
        call.ringPlan === null ? null : JSON.stringify(call.ringPlan),
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
        call.lastSequence,
        call.lastCoreSequence,
        call.createdAt,
        caller.channelId,
        caller.extension,
        caller.endpoint,
        call.record,
      ],
    );
    await this.store(tx, started);
  }

  /**
   * A call refused as it came in (no route, a number the phone may not call): the call, ended,
   * and its FAILED CDR in one transaction, and no event (SPEC section 2).
   */
  async recordRefused(call: Call, caller: CallLeg): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.rows.insertCall(manager, call);
      await this.rows.insertLeg(manager, caller);
      await this.cdrs.record(manager, cdrInputOf(call, [caller]));
    });
    this.logger.log(
      `call ${call.callUuid} refused (${call.direction}): ${call.fromNumber} → ${call.toNumber}, cause ${call.hangupCause} (${call.hangupCauseText})`,
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

  /**
   * An event about a call that may have ended (a recording's `ready` or `failed`): `decide`
   * takes no change of an ended call, so this appends the event with the call's next sequence,
   * stored and handed to the webhook outbox in one transaction, with `alongside` (what the event
   * reports, written in the same transaction). False when the call is unknown.
   */
  async appendEvent(
    callUuid: string,
    type: CallEventType,
    extra: EventExtra = {},
    alongside?: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const locked = await this.rows.lock(manager, callUuid);
      if (!locked) return false;
      await alongside?.(manager);
      const { call } = locked;
      const event = nextEvent(call, type, new Date(), null, extra);
      await this.rows.updateCall(manager, call);
      await this.store(manager, event);
      return true;
    });
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
    const cdr = await this.cdrs.record(manager, {
      ...cdrInputOf(call, legs),
      recording: await this.recordingOf(manager, call),
    });
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

  /** The recording of a call, if recording ever started (its token is assigned then). */
  private async recordingOf(manager: EntityManager, call: Call): Promise<{ token: string; url: string } | null> {
    const token = (await this.recordings.ofCall(call.callUuid, manager))?.token;
    return token ? { token, url: recordingUrl(this.config.recordings.publicBaseUrl, token) } : null;
  }

  private async store(manager: EntityManager, event: CallEvent): Promise<void> {
    await preparedQuery(
      manager,
      // the real-time stream wakes at commit (NOTIFY is transactional; one per transaction)
      `WITH stored AS (
         INSERT INTO call_events (id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING 1
       )
       SELECT pg_notify('${EVENTS_CHANNEL}', '') FROM stored`,
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
