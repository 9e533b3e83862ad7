import { Module } from '@nestjs/common';
import { ConfigModule } from '@pbx/config';
import { DatabaseModule } from '@pbx/database';
import { AsteriskModule, RegistrationMonitor } from '@pbx/asterisk';
import { CallControlModule } from '@pbx/calls';
import { UnroutedCallsHandler } from './unrouted-calls.handler';

/** The worker holds the Stasis application (call control) and the AMI event stream. */
@Module({
  imports: [ConfigModule, DatabaseModule, AsteriskModule.forRoot((app) => app), CallControlModule],
  providers: [RegistrationMonitor, UnroutedCallsHandler],
})
export class WorkerModule {}
