import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCode } from '@pbx/common';
import { CounterStore } from './counter-store';
import { FallbackListener } from './redis-counter-store';
import { RatePolicy } from './throttle-group';

export interface RateDecision {
  readonly policy: RatePolicy;
  readonly allowed: boolean;
  readonly remaining: number;
  /** seconds until the window ends */
  readonly resetSeconds: number;
}

/** What metrics want to know; set by the app that owns the metrics registry. */
export interface RateLimitObserver {
  throttled(policy: string): void;
  /** a hit counted by this process alone because Redis did not answer */
  fallbackHit(): void;
  redisUp(up: boolean): void;
}

const QUIET: RateLimitObserver = { throttled: () => undefined, fallbackHit: () => undefined, redisUp: () => undefined };

/** Fixed-window counters per (policy, subject) over the configured store. */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger('rate-limit');
  private readonly store: CounterStore;
  private observer: RateLimitObserver = QUIET;
  private redisUp: boolean | null = null;

  /** `storeFor` gets the listener through which a Redis store reports its state. */
  constructor(
    storeFor: (report: FallbackListener) => CounterStore,
    private readonly keyPrefix = 'pbx:',
  ) {
    this.store = storeFor((state) => this.onStoreState(state));
  }

  observe(observer: RateLimitObserver): void {
    this.observer = observer;
  }

  /** Spends one request of `subject`'s budget. */
  async consume(policy: RatePolicy, subject: string): Promise<RateDecision> {
    const { count, resetMs } = await this.store.hit(this.keyOf(policy, subject), policy.windowMs);
    const allowed = count <= policy.limit;
    if (!allowed) this.observer.throttled(policy.name);
    return {
      policy,
      allowed,
      remaining: Math.max(0, policy.limit - count),
      resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
    };
  }

  /** Gives back one request (reserved before a check that then did not count against it). */
  refund(policy: RatePolicy, subject: string): Promise<void> {
    return this.store.refund(this.keyOf(policy, subject));
  }

  onModuleDestroy(): Promise<void> {
    return this.store.close();
  }

  private keyOf(policy: RatePolicy, subject: string): string {
    return `${this.keyPrefix}rl:${policy.name}:${subject}`;
  }

  private onStoreState({ redisUp, fallbackHit }: { redisUp: boolean; fallbackHit: boolean }): void {
    if (fallbackHit) this.observer.fallbackHit();
    if (redisUp === this.redisUp) return;
    // one line per change of state, not one per request
    if (!redisUp) this.logger.warn('Redis does not answer: rate limits are counted per API process until it returns');
    else if (this.redisUp === false) this.logger.log('Redis answers again: rate limits are shared again');
    this.redisUp = redisUp;
    this.observer.redisUp(redisUp);
  }
}

/** IETF RateLimit-* headers on every answer; a refusal is 429 `rate_limited` with Retry-After. */
export function enforce(decision: RateDecision, response: Response): void {
  const { policy } = decision;
  response.setHeader('RateLimit-Policy', `${policy.limit};w=${Math.round(policy.windowMs / 1000)}`);
  response.setHeader('RateLimit-Limit', policy.limit);
  response.setHeader('RateLimit-Remaining', decision.remaining);
  response.setHeader('RateLimit-Reset', decision.resetSeconds);
  if (decision.allowed) return;
  response.setHeader('Retry-After', decision.resetSeconds);
  throw rateLimited(decision);
}

/** The 429 of a spent budget (`details.retry_after` in seconds), for callers that answer without Express. */
export function rateLimited(decision: RateDecision): DomainError {
  const { policy } = decision;
  return new DomainError(
    ErrorCode.RateLimited,
    `rate limit of ${policy.limit} requests per ${Math.round(policy.windowMs / 1000)} s (${policy.name}) reached, retry later`,
    {
      limit: policy.limit,
      retry_after: decision.resetSeconds,
    },
  );
}
