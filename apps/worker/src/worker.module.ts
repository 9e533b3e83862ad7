import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@pbx/config';
import { DatabaseModule } from '@pbx/database';
import { AsteriskModule, RegistrationMonitor } from '@pbx/asterisk';
import { CallControlModule } from '@pbx/calls';
import { MetricsModule, MetricsServer, MetricsService } from '@pbx/metrics';
import { WEBHOOK_METRICS, WebhookDispatcherModule, WebhookMetrics } from '@pbx/webhooks';
import { SECURITY_METRICS, SecurityMetrics, SecurityWorkerModule } from '@pbx/security';
import { RecordingRetentionModule } from '@pbx/recordings';
import { CdrRetentionModule } from '@pbx/cdrs';
import { RetentionJob } from './retention/retention.job';

/** Feeds the webhook dispatcher's attempts and SIP security events into Prometheus. */
@Global()
@Module({
  providers: [
    {
      provide: WEBHOOK_METRICS,
      inject: [MetricsService],
      useFactory: (metrics: MetricsService): WebhookMetrics => ({
        attempt: ({ outcome, durationMs }) => {
          metrics.webhookDeliveries.inc({ result: outcome });
          metrics.webhookLatency.observe(durationMs / 1000);
        },
      }),
    },
    {
      provide: SECURITY_METRICS,
      inject: [MetricsService],
      useFactory: (metrics: MetricsService): SecurityMetrics => ({
        banned: () => metrics.sipBans.inc(),
        contactMoved: () => metrics.sipContactMoves.inc(),
      }),
    },
  ],
  exports: [WEBHOOK_METRICS, SECURITY_METRICS],
})
class WebhookMetricsBinding {}

/** The worker holds the Stasis application (call control) and the AMI event stream. */
@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    AsteriskModule.forRoot((app) => app, 'system,security'),
    MetricsModule,
    WebhookMetricsBinding,
    CallControlModule,
    WebhookDispatcherModule,
    SecurityWorkerModule,
    RecordingRetentionModule,
    CdrRetentionModule,
  ],
  providers: [RegistrationMonitor, RetentionJob, ...MetricsServer.on((config) => config.workerMetricsPort)],
})
export class WorkerModule {}
