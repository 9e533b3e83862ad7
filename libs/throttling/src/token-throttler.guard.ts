import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { PUBLIC_ROUTE } from '@pbx/auth';
import { THROTTLE_GROUP, ThrottleGroupName } from './throttle-group';

/**
 * Rate limits per API token (not per IP: many CRMs share one egress address), each route
 * counted only against its own group's budget. Every request counts, valid or not. Answers
 * with the IETF RateLimit-* headers and Retry-After on 429.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  /** called for each 429, so metrics can count them */
  static onThrottled: (group: string) => void = () => undefined;

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    // health, docs and metrics are for monitoring, not budgeted
    return this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) === true;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    const authorization = request.headers.authorization;
    if (authorization) return `token:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}`;
    return `ip:${request.ip ?? 'unknown'}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const group = this.reflector.getAllAndOverride<ThrottleGroupName>(THROTTLE_GROUP, [context.getHandler(), context.getClass()]) ?? 'default';
    if (throttler.name !== group) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const tracker = await getTracker(request as never, context);
    const key = generateKey(context, tracker, group);
    const { totalHits, timeToExpire, isBlocked, timeToBlockExpire } = await this.storageService.increment(key, ttl, limit, blockDuration, group);
    response.setHeader('RateLimit-Policy', `${limit};w=${Math.round(ttl / 1000)}`);
    response.setHeader('RateLimit-Limit', limit);
    response.setHeader('RateLimit-Remaining', Math.max(0, limit - totalHits));
    response.setHeader('RateLimit-Reset', isBlocked ? timeToBlockExpire : timeToExpire);
    if (isBlocked) {
      response.setHeader('Retry-After', timeToBlockExpire);
      TokenThrottlerGuard.onThrottled(group);
      throw new ThrottlerException(`rate limit of ${limit} requests per ${Math.round(ttl / 1000)} s for ${group} reached`);
    }
    return true;
  }
}
