import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { DomainError, ErrorCode } from '@pbx/common';
import { AriConnection, RegistrationsService } from '@pbx/asterisk';
import { allowsExtension, allowsTrunk, AuthContext, TokenLimits } from '@pbx/auth';
import { Extension, ExtensionsService } from '@pbx/extensions';
import { Trunk, TrunksService } from '@pbx/trunks';
import { RoutesService } from '@pbx/routes';
import { CallerId } from '@pbx/caller-ids';
import { Call, RouteStep, RoutingMode } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { CallStatus } from './call.state';
import { CallStateFunnel } from './call-state.funnel';
import { ClickToCallDto } from './dto/click-to-call.dto';
import { IdempotencyKey } from './idempotency-key.entity';
import { LegDialer } from './leg-dialer';
import { limitRefusal, reserveCallSlot, restrictPlan } from './call-limits';

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

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * POST /api/pbx/calls/click-to-call: checks everything that can be checked before a call is
 * placed (so a refused request places nothing and writes nothing), stores the queued call,
 * then rings the agent's extension.
 */
@Injectable()
export class ClickToCallService {
  private readonly logger = new Logger('click-to-call');

  constructor(
    private readonly dataSource: DataSource,
    private readonly extensions: ExtensionsService,
    private readonly trunks: TrunksService,
    private readonly routes: RoutesService,
    private readonly registrations: RegistrationsService,
    private readonly ari: AriConnection,
    private readonly funnel: CallStateFunnel,
    private readonly dialer: LegDialer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(auth: AuthContext, dto: ClickToCallDto, idempotencyKey?: string): Promise<ClickToCallAccepted> {
    const requestHash = hashRequest(dto);
    if (idempotencyKey !== undefined) {
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) throw DomainError.invalid('Idempotency-Key', 'Idempotency-Key must be 1-255 visible ASCII characters');
      const replay = await this.replay(auth.tokenId, idempotencyKey, requestHash);
      if (replay) return replay;
    }

    if (!allowsExtension(auth.limits, dto.from_extension)) {
      throw limitRefusal('from_extension', `this token may not call from extension ${dto.from_extension}`);
    }
    const extension = await this.extensions.findActiveByNumber(dto.from_extension);
    if (!extension) throw DomainError.invalid('from_extension', `extension ${dto.from_extension} does not exist or is disabled`);
    const { routingMode, trunk, plan } = await this.plan(dto, auth.limits);
    const callerId = await this.callerId(dto, extension);

    if (!this.ari.connected) throw new DomainError(ErrorCode.ServiceUnavailable, 'Asterisk is unavailable (ARI down); no call was placed');
    const registered = await this.registrations.registeredAors();
    if (registered === null) throw new DomainError(ErrorCode.ServiceUnavailable, 'Asterisk is unavailable (AMI down); no call was placed');
    if (!registered.has(extension.number)) {
      throw new DomainError(ErrorCode.ExtensionOffline, `extension ${extension.number} has no registered phone`, { from_extension: extension.number });
    }

    const now = new Date();
    const call = Object.assign(new Call(), {
      callUuid: randomUUID(),
      aLegUuid: randomUUID(),
      bLegUuid: randomUUID(),
      status: CallStatus.Queued,
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
      disposition: null,
      hangupCause: null,
      hangupCauseText: null,
      hangupBy: null,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
    } satisfies Call);
    const accepted: ClickToCallAccepted = {
      call_uuid: call.callUuid,
      a_leg_uuid: call.aLegUuid,
      b_leg_uuid: call.bLegUuid,
      from_extension: call.fromExtension,
      to_phone: call.toPhone,
      caller_id: call.callerId,
      trunk_id: call.trunkId,
      trunk_name: call.trunkName,
      routing_mode: routingMode,
      status: 'queued',
    };
    const aLeg = Object.assign(new CallLeg(), {
      legUuid: call.aLegUuid,
      callUuid: call.callUuid,
      leg: 'a',
      endpoint: `PJSIP/${extension.number}`,
      trunkId: null,
      state: 'created',
      createdAt: now,
      ringingAt: null,
      answeredAt: null,
      endedAt: null,
      hangupCause: null,
      hangupCauseText: null,
    } satisfies CallLeg);

    // no lock and no count for a token without max_concurrent_calls: the hot path stays one statement
    const maxCalls = auth.limits?.maxConcurrentCalls ?? null;
    if (idempotencyKey === undefined && maxCalls === null) {
      await this.funnel.create(call, aLeg);
    } else if (idempotencyKey === undefined) {
      await this.dataSource.transaction(async (manager) => {
        await reserveCallSlot(manager, auth.tokenId, maxCalls!);
        await this.funnel.create(call, aLeg, manager);
      });
    } else {
      const stored = await this.dataSource.transaction(async (manager) => {
        const inserted = await manager
          .createQueryBuilder()
          .insert()
          .into(IdempotencyKey)
          .values({ tokenId: auth.tokenId, key: idempotencyKey, requestHash, callUuid: call.callUuid, response: accepted as never })
          .orIgnore()
          .execute();
        if (!inserted.raw?.length) return false; // a concurrent twin won: answer with its call
        // after the key: a retry of an accepted request replays it rather than counting against the limit
        if (maxCalls !== null) await reserveCallSlot(manager, auth.tokenId, maxCalls);
        await this.funnel.create(call, aLeg, manager);
        return true;
      });
      if (!stored) return (await this.replay(auth.tokenId, idempotencyKey, requestHash)) as ClickToCallAccepted;
    }

    try {
      await this.dialer.dialAgent(call.callUuid, call.aLegUuid, extension.number, call.toPhone);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`call ${call.callUuid}: Asterisk refused the A-leg: ${reason}`);
      await this.funnel.apply(call.callUuid, { kind: 'call_failed', at: new Date(), cause: 38, causeText: 'originate failed' });
      if (idempotencyKey !== undefined) await this.dataSource.getRepository(IdempotencyKey).delete({ tokenId: auth.tokenId, key: idempotencyKey });
      throw new DomainError(ErrorCode.ServiceUnavailable, 'Asterisk could not place the call; it was not placed', { call_uuid: call.callUuid });
    }
    return accepted;
  }

  private async replay(tokenId: number, key: string, requestHash: string): Promise<ClickToCallAccepted | null> {
    const previous = await this.dataSource.getRepository(IdempotencyKey).findOne({ where: { tokenId, key } });
    if (!previous) return null;
    if (previous.requestHash !== requestHash) {
      throw new DomainError(ErrorCode.IdempotencyKeyReused, 'this Idempotency-Key was used with a different request', [{ field: 'Idempotency-Key', message: 'already used with a different body' }]);
    }
    return previous.response as unknown as ClickToCallAccepted;
  }

  /**
   * Trunk by id (wins) or name → direct_gateway; otherwise the outbound routes decide. A token
   * limited to some trunks is refused another explicit one (by id before any lookup, so it learns
   * nothing about that id), and keeps only its own trunks of the route.
   */
  private async plan(dto: ClickToCallDto, limits: TokenLimits | undefined): Promise<{ routingMode: RoutingMode; trunk: Trunk | null; plan: RouteStep[] }> {
    if (dto.trunk_id !== undefined || dto.trunk_name !== undefined) {
      const field = dto.trunk_id !== undefined ? 'trunk_id' : 'trunk_name';
      if (dto.trunk_id !== undefined && !allowsTrunk(limits, dto.trunk_id)) throw limitRefusal(field, `this token may not call through trunk ${dto.trunk_id}`);
      const trunk = await this.trunks.findActive(dto.trunk_id !== undefined ? { id: dto.trunk_id } : { name: dto.trunk_name });
      if (!trunk) throw DomainError.invalid(field, `trunk ${dto.trunk_id ?? dto.trunk_name} does not exist or is disabled`);
      if (!allowsTrunk(limits, trunk.id)) throw limitRefusal(field, `this token may not call through trunk ${dto.trunk_name}`);
      return { routingMode: 'direct_gateway', trunk, plan: [{ trunkId: trunk.id, trunkName: trunk.name, dial: dto.to_phone }] };
    }
    const resolved = await this.routes.resolve(dto.to_phone);
    const plan = restrictPlan(limits, resolved?.trunks.map((t) => ({ trunkId: t.id, trunkName: t.name, dial: resolved.dialNumber })) ?? []);
    if (plan.length === 0) {
      throw DomainError.invalid('to_phone', `no outbound route with an active trunk${limits?.trunkIds ? ' this token may use' : ''} matches this number; give trunk_id or trunk_name`);
    }
    return { routingMode: 'dialplan_default', trunk: null, plan };
  }

  /** Request → extension's outbound_caller_id → extension number; an explicit one must be ours. */
  private async callerId(dto: ClickToCallDto, extension: Extension): Promise<string> {
    if (dto.caller_id === undefined) return extension.outboundCallerId ?? extension.number;
    if (dto.caller_id === extension.number || dto.caller_id === extension.outboundCallerId) return dto.caller_id;
    const known = await this.dataSource.getRepository(CallerId).exists({ where: { number: dto.caller_id } });
    if (!known) throw DomainError.invalid('caller_id', `caller id ${dto.caller_id} is not one of GET /api/pbx/caller-ids`);
    return dto.caller_id;
  }
}

function hashRequest(dto: ClickToCallDto): string {
  const { headers, ...fields } = dto;
  const canonical = JSON.stringify([Object.entries(fields).sort(), Object.entries(headers ?? {}).sort()]);
  return createHash('sha256').update(canonical).digest('hex');
}
