import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { THROTTLE_GROUPS } from './throttle-group';
import { TokenThrottlerGuard } from './token-throttler.guard';

/** Counters live in memory, or in Redis when REDIS_URL is set so API replicas share one budget. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        throttlers: Object.entries(THROTTLE_GROUPS).map(([name, { limit, ttl }]) => ({ name, limit, ttl })),
        ...(config.redisUrl ? { storage: new ThrottlerStorageRedisService(config.redisUrl) } : {}),
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: TokenThrottlerGuard }],
})
export class ThrottlingModule {}
