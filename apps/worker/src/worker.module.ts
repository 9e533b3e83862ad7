import { Module } from '@nestjs/common';
import { ConfigModule } from '@pbx/config';
import { DatabaseModule } from '@pbx/database';
import { AsteriskModule, RegistrationMonitor } from '@pbx/asterisk';
import { CallControlModule } from '@pbx/calls';
import { MetricsModule, MetricsServer } from '@pbx/metrics';
import { UnroutedCallsHandler } from './unrouted-calls.handler';

/** The worker holds the Stasis application (call control) and the AMI event stream. */
@Module({
  imports: [ConfigModule, DatabaseModule, AsteriskModule.forRoot((app) => app), MetricsModule, CallControlModule],
  providers: [RegistrationMonitor, UnroutedCallsHandler, MetricsServer],
})
export class WorkerModule {}
