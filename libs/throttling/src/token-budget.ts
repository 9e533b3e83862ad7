import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { enforce, RateDecision, RateLimiter } from './rate-limiter';
import { THROTTLE_GROUP, throttleGroups, ThrottleGroupName } from './throttle-group';

/**
 * Budgets per authenticated token id (never per header spelling: `Bearer`, `bearer` and
 * `BEARER` are one token), one per route group. Every authenticated request counts, valid or not.
 */
@Injectable()
export class TokenBudget {
  private readonly groups: ReturnType<typeof throttleGroups>;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.groups = throttleGroups(config.http.tokenLimit);
  }

  async charge(context: ExecutionContext, tokenId: number): Promise<void> {
    const group =
      this.reflector.getAllAndOverride<ThrottleGroupName>(THROTTLE_GROUP, [context.getHandler(), context.getClass()]) ??
      'default';
    enforce(await this.consume(group, tokenId), context.switchToHttp().getResponse<Response>());
  }

  /** One request of the token's budget for `group`, for a caller that answers without Express (the stream's upgrade). */
  consume(group: ThrottleGroupName, tokenId: number): Promise<RateDecision> {
    return this.limiter.consume(this.groups[group], `token:${tokenId}`);
  }
}
