import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiValidationPipe, HttpErrorFilter } from '@pbx/common';
import { ConfigModule } from '@pbx/config';
import { DatabaseModule } from '@pbx/database';
import { AsteriskModule } from '@pbx/asterisk';
import { AuthModule, TokensService } from '@pbx/auth';
import { ExtensionsModule } from '@pbx/extensions';
import { TrunksModule } from '@pbx/trunks';
import { CallerIdsModule } from '@pbx/caller-ids';
import { HealthModule } from '@pbx/health';
import { RoutesModule } from '@pbx/routes';
import { CallsModule } from '@pbx/calls';
import { RateLimiter } from '@pbx/throttling';
import { CdrsModule } from '@pbx/cdrs';
import { MetricsHttpModule, MetricsModule, MetricsServer, MetricsService } from '@pbx/metrics';
import { WebhooksModule } from '@pbx/webhooks';
import { SecurityModule } from '@pbx/security';
import { RingGroupsModule } from '@pbx/ring-groups';
import { InboundRoutesModule } from '@pbx/inbound-routes';
import { DialPolicyModule } from '@pbx/dial-policy';
import { RecordingLinksModule } from '@pbx/recordings';
import { EventStreamModule } from '@pbx/event-stream';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    // the API's own Stasis app receives no calls: its websocket only tells health that ARI is up
    AsteriskModule.forRoot((app) => `${app}-api`),
    AuthModule,
    ExtensionsModule,
    TrunksModule,
    CallerIdsModule,
    RoutesModule,
    RingGroupsModule,
    InboundRoutesModule,
    DialPolicyModule,
    CallsModule,
    RecordingLinksModule,
    CdrsModule,
    WebhooksModule,
    EventStreamModule,
    SecurityModule,
    HealthModule,
    MetricsModule,
    MetricsHttpModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: ApiValidationPipe },
    ...MetricsServer.on((config) => config.metrics.apiPort),
  ],
})
export class AppModule {
  constructor(metrics: MetricsService, limiter: RateLimiter, tokens: TokensService) {
    tokens.onLookup = () => metrics.tokenLookups.inc();
    limiter.observe({
      throttled: (group) => metrics.throttled.inc({ group }),
      fallbackHit: () => metrics.rateLimitFallback.inc(),
      redisUp: (up) => metrics.rateLimitRedisUp.set(up ? 1 : 0),
    });
  }
}
