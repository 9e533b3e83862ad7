import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiValidationPipe, HttpErrorFilter } from '@pbx/common';
import { ConfigModule } from '@pbx/config';
import { DatabaseModule } from '@pbx/database';
import { AsteriskModule } from '@pbx/asterisk';
import { AuthModule } from '@pbx/auth';
import { ExtensionsModule } from '@pbx/extensions';
import { TrunksModule } from '@pbx/trunks';
import { CallerIdsModule } from '@pbx/caller-ids';
import { HealthModule } from '@pbx/health';
import { RoutesModule } from '@pbx/routes';
import { CallsModule } from '@pbx/calls';
import { ThrottlingModule, TokenThrottlerGuard } from '@pbx/throttling';
import { CdrsModule } from '@pbx/cdrs';
import { MetricsHttpModule, MetricsModule, MetricsService } from '@pbx/metrics';
import { WebhooksModule } from '@pbx/webhooks';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    // the API's own Stasis app receives no calls: its websocket only tells health that ARI is up
    AsteriskModule.forRoot((app) => `${app}-api`),
    AuthModule,
    ThrottlingModule,
    ExtensionsModule,
    TrunksModule,
    CallerIdsModule,
    RoutesModule,
    CallsModule,
    CdrsModule,
    WebhooksModule,
    HealthModule,
    MetricsModule,
    MetricsHttpModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: ApiValidationPipe },
  ],
})
export class AppModule {
  constructor(metrics: MetricsService) {
    TokenThrottlerGuard.onThrottled = (group) => metrics.throttled.inc({ group });
  }
}
