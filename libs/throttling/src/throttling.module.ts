import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { AddressGate } from './address-gate';
import { MemoryCounterStore } from './counter-store';
import { RateLimiter } from './rate-limiter';
import { RedisCounterStore } from './redis-counter-store';
import { TokenBudget } from './token-budget';

/** Counters live in memory, or in Redis when REDIS_URL is set so API replicas share one budget. */
@Global()
@Module({
  providers: [
    {
      provide: RateLimiter,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new RateLimiter(
          (report) => (config.redisUrl ? new RedisCounterStore(config.redisUrl, report) : new MemoryCounterStore()),
          config.redisKeyPrefix,
        ),
    },
    AddressGate,
    TokenBudget,
  ],
  exports: [RateLimiter, AddressGate, TokenBudget],
})
export class ThrottlingModule {}
