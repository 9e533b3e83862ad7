import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@pbx/common';
import { allowsTrunk, TokenLimits } from '@pbx/auth';
import { Trunk, TrunksService } from '@pbx/trunks';
import { RoutesService } from '@pbx/routes';
import { DialPolicyService } from '@pbx/dial-policy';
import { RouteStep, RoutingMode } from '../persistence/call.entity';
import { limitRefusal, restrictPlan } from './call-limits';
import { ClickToCallDto } from './click-to-call.dto';

export interface ClickToCallPlan {
  routingMode: RoutingMode;
  trunk: Trunk | null;
  plan: RouteStep[];
}

/**
 * Which trunks the customer's leg tries, in order: the trunk named by id (wins) or name →
 * direct_gateway; otherwise the outbound routes decide → dialplan_default. A token limited to
 * some trunks is refused another explicit one (by id before any lookup, so it learns nothing
 * about that id), and keeps only its own trunks of the route. The dial policy must allow
 * to_phone and every step's dial string, else 422 `destination_denied` (nothing is written).
 */
@Injectable()
export class ClickToCallPlanner {
  constructor(
    private readonly trunks: TrunksService,
    private readonly routes: RoutesService,
    private readonly dialPolicy: DialPolicyService,
  ) {}

  async plan(dto: ClickToCallDto, limits: TokenLimits | undefined): Promise<ClickToCallPlan> {
    const plan = await this.route(dto, limits);
    for (const dial of new Set(plan.plan.map((step) => step.dial))) {
      const decision = await this.dialPolicy.check(dto.to_phone, dial);
      if (!decision.allowed)
        throw new DomainError(ErrorCode.DestinationDenied, 'the dial policy refuses this destination', [
          { field: 'to_phone', message: decision.reason },
        ]);
    }
    return plan;
  }

  private async route(dto: ClickToCallDto, limits: TokenLimits | undefined): Promise<ClickToCallPlan> {
    if (dto.trunk_id !== undefined || dto.trunk_name !== undefined) {
      const field = dto.trunk_id !== undefined ? 'trunk_id' : 'trunk_name';
      if (dto.trunk_id !== undefined && !allowsTrunk(limits, dto.trunk_id))
        throw limitRefusal(field, `this token may not call through trunk ${dto.trunk_id}`);
      const trunk = await this.trunks.findActive(
        dto.trunk_id !== undefined ? { id: dto.trunk_id } : { name: dto.trunk_name },
      );
      if (!trunk)
        throw DomainError.invalid(field, `trunk ${dto.trunk_id ?? dto.trunk_name} does not exist or is disabled`);
      if (!allowsTrunk(limits, trunk.id))
        throw limitRefusal(field, `this token may not call through trunk ${dto.trunk_name}`);
      return {
        routingMode: 'direct_gateway',
        trunk,
        plan: [{ trunkId: trunk.id, trunkName: trunk.name, dial: dto.to_phone }],
      };
    }
    const resolved = await this.routes.resolve(dto.to_phone);
    const plan = restrictPlan(
      limits,
      resolved?.trunks.map((t) => ({ trunkId: t.id, trunkName: t.name, dial: resolved.dialNumber })) ?? [],
    );
    if (plan.length === 0) {
      throw DomainError.invalid(
        'to_phone',
        `no outbound route with an active trunk${limits?.trunkIds ? ' this token may use' : ''} matches this number; give trunk_id or trunk_name`,
      );
    }
    return { routingMode: 'dialplan_default', trunk: null, plan };
  }
}
