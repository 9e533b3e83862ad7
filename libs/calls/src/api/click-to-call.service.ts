import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode } from '@pbx/common';
import { Asterisk, extensionDialString, RegistrationsService } from '@pbx/asterisk';
import { allowsExtension, AuthContext, TokensService } from '@pbx/auth';
import { Extension, ExtensionsService } from '@pbx/extensions';
import { MetricsService } from '@pbx/metrics';
import { addLogFields } from '@pbx/logging';
import { Call, RoutingMode } from '../persistence/call.entity';
import { CallLeg, newLeg } from '../persistence/call-leg.entity';
import { CallStateFunnel } from '../persistence/call-state.funnel';
import { CallStatus } from '../state/call.state';
import { callFields } from '../state/call-event.factory';
import { observeDecision } from '../flow/call-metrics';
import { LegDialer } from '../flow/leg-dialer';
import { CallerIdPolicy } from './caller-id.policy';
import { limitRefusal, reserveCallSlot } from './call-limits';
import { ClickToCallDto } from './click-to-call.dto';
import { ClickToCallPlan, ClickToCallPlanner } from './click-to-call.plan';
import { hashRequest, Idempotency } from './idempotency';

export interface ClickToCallAccepted {
  call_uuid: string;
  a_leg_uuid: string;
  b_leg_uuid: string;
  from_extension: string;
  to_phone: string;
  caller_id: string;
  trunk_id: number | null;
  trunk_name: string | null;
  routing_mode: RoutingMode;
  status: 'queued';
}

/**
 * POST /api/pbx/calls/click-to-call, in small steps: replay a known Idempotency-Key; check
 * everything that can be checked before a call is placed (so a refused request places nothing
 * and writes nothing): the token's limits, the extension, the plan, the caller id, Asterisk and
 * the agent's phone; store the queued call (with the key, and the token's call slot); ring the
 * agent's extension. The worker drives the call from there.
 */
@Injectable()
export class ClickToCallService {
  private readonly logger = new Logger('click-to-call');

  constructor(
    private readonly dataSource: DataSource,
    private readonly extensions: ExtensionsService,
    private readonly planner: ClickToCallPlanner,
    private readonly callerIds: CallerIdPolicy,
    private readonly idempotency: Idempotency,
    private readonly registrations: RegistrationsService,
    private readonly asterisk: Asterisk,
    private readonly funnel: CallStateFunnel,
    private readonly dialer: LegDialer,
    private readonly metrics: MetricsService,
    private readonly tokens: TokensService,
  ) {}

  async start(auth: AuthContext, dto: ClickToCallDto, idempotencyKey?: string): Promise<ClickToCallAccepted> {
    const requestHash = hashRequest(dto);
    if (idempotencyKey !== undefined) {
      const replay = await this.idempotency.replay<ClickToCallAccepted>(auth.tokenId, idempotencyKey, requestHash);
      if (replay) return replay;
    }
    if (!allowsExtension(auth.limits, dto.from_extension))
      throw limitRefusal('from_extension', `this token may not call from extension ${dto.from_extension}`);
    const extension = await this.extensions.findActiveByNumber(dto.from_extension);
    if (!extension)
      throw DomainError.invalid('from_extension', `extension ${dto.from_extension} does not exist or is disabled`);
    if (dto.auto_answer === true && !extension.autoAnswerAllowed)
      throw new DomainError(
        ErrorCode.AutoAnswerNotAllowed,
        `extension ${extension.number} does not allow auto answer`,
        [{ field: 'auto_answer', message: `extension ${extension.number} has auto_answer_allowed: false` }],
      );
    const plan = await this.planner.plan(dto, auth.limits);
    const callerId = await this.callerIds.resolve(dto.caller_id, extension);
    await this.requirePhoneOnline(extension);

    const { call, aLeg } = newCall(auth, dto, extension, plan, callerId);
    addLogFields({ call_uuid: call.callUuid });
    const accepted = acceptedOf(call);
    if (!(await this.store(auth, call, aLeg, accepted, idempotencyKey, requestHash))) {
      // a concurrent twin with the same key won: answer with its call
      return (await this.idempotency.replay<ClickToCallAccepted>(auth.tokenId, idempotencyKey!, requestHash))!;
    }
    await this.ringAgent(call, extension, dto.auto_answer === true, auth, idempotencyKey);
    return accepted;
  }

  private async requirePhoneOnline(extension: Extension): Promise<void> {
    if (!this.asterisk.connected)
      throw new DomainError(ErrorCode.ServiceUnavailable, 'Asterisk is unavailable (ARI down); no call was placed');
    const registered = await this.registrations.registeredAors();
    if (registered === null)
      throw new DomainError(ErrorCode.ServiceUnavailable, 'Asterisk is unavailable (AMI down); no call was placed');
    if (!registered.has(extension.number)) {
      throw new DomainError(ErrorCode.ExtensionOffline, `extension ${extension.number} has no registered phone`, {
        from_extension: extension.number,
      });
    }
  }

  /** The queued call, in one transaction with its Idempotency-Key and the token's call slot when it has them. */
  private async store(
    auth: AuthContext,
    call: Call,
    aLeg: CallLeg,
    accepted: ClickToCallAccepted,
    key: string | undefined,
    requestHash: string,
  ): Promise<boolean> {
    // no transaction, lock or count for a token without a key or max_concurrent_calls: the hot path stays one statement
    const maxCalls = auth.limits?.maxConcurrentCalls ?? null;
    if (key === undefined && maxCalls === null) {
      await this.funnel.create(call, aLeg);
      return true;
    }
    return this.dataSource.transaction(async (manager) => {
      if (
        key !== undefined &&
        !(await this.idempotency.claim(manager, {
          tokenId: auth.tokenId,
          key,
          requestHash,
          callUuid: call.callUuid,
          response: accepted,
        }))
      )
        return false;
      // after the key: a retry of an accepted request replays it rather than counting against the limit
      if (maxCalls !== null) await reserveCallSlot(manager, this.tokens, auth.tokenId, maxCalls);
      await this.funnel.create(call, aLeg, manager);
      return true;
    });
  }

  private async ringAgent(
    call: Call,
    extension: Extension,
    autoAnswer: boolean,
    auth: AuthContext,
    key: string | undefined,
  ): Promise<void> {
    try {
      await this.dialer.dialAgent({
        callUuid: call.callUuid,
        legUuid: call.aLegUuid,
        extension: extension.number,
        customer: call.toPhone!,
        autoAnswer,
      });
    } catch (error) {
      this.logger.warn(
        `call ${call.callUuid}: Asterisk refused the A-leg: ${error instanceof Error ? error.message : String(error)}`,
      );
      const decision = await this.funnel.apply(call.callUuid, {
        kind: 'call_failed',
        at: new Date(),
        cause: 38,
        causeText: 'originate failed',
      });
      if (decision?.changed) observeDecision(this.metrics, decision);
      if (key !== undefined) await this.idempotency.release(auth.tokenId, key);
      throw new DomainError(ErrorCode.ServiceUnavailable, 'Asterisk could not place the call; it was not placed', {
        call_uuid: call.callUuid,
      });
    }
  }
}

function newCall(
  auth: AuthContext,
  dto: ClickToCallDto,
  extension: Extension,
  { routingMode, trunk, plan }: ClickToCallPlan,
  callerId: string,
): { call: Call; aLeg: CallLeg } {
  const now = new Date();
  const call = Object.assign(new Call(), {
    callUuid: randomUUID(),
    aLegUuid: randomUUID(),
    bLegUuid: randomUUID(),
    status: CallStatus.Queued,
    direction: 'click_to_call',
    fromNumber: extension.number,
    toNumber: dto.to_phone,
    did: null,
    extension: extension.number,
    ringPlan: null,
    answeredLegUuid: null,
    fromExtension: extension.number,
    toPhone: dto.to_phone,
    callerId,
    trunkId: trunk?.id ?? null,
    trunkName: trunk?.name ?? null,
    routingMode,
    routePlan: plan,
    headers: dto.headers ?? {},
    tokenId: auth.tokenId,
    lastSequence: 0,
    lastCoreSequence: 0,
    disposition: null,
    hangupCause: null,
    hangupCauseText: null,
    hangupBy: null,
    transferLegUuid: null,
    transferredBy: null,
    transferredTo: null,
    record: dto.record === true || extension.record === 'always',
    createdAt: now,
    updatedAt: now,
    endedAt: null,
  } satisfies Call);
  const aLeg = newLeg({
    legUuid: call.aLegUuid,
    channelId: call.aLegUuid,
    callUuid: call.callUuid,
    leg: 'a',
    extension: extension.number,
    endpoint: extensionDialString(extension.number),
    trunkId: null,
    createdAt: now,
  });
  return { call, aLeg };
}

/** The 202 body: the call's own fields as every event carries them, without the CRM headers, as queued. */
function acceptedOf(call: Call): ClickToCallAccepted {
  const fields = callFields(call);
  return {
    call_uuid: fields.call_uuid,
    a_leg_uuid: fields.a_leg_uuid,
    b_leg_uuid: fields.b_leg_uuid!,
    from_extension: fields.from_extension!,
    to_phone: fields.to_phone!,
    caller_id: fields.caller_id!,
    trunk_id: fields.trunk_id,
    trunk_name: fields.trunk_name,
    routing_mode: fields.routing_mode!,
    status: 'queued',
  };
}
