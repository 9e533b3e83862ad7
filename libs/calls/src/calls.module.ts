import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@pbx/metrics';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CdrWriterModule } from '@pbx/cdrs';
import { AuthModule } from '@pbx/auth';
import { ExtensionsModule } from '@pbx/extensions';
import { TrunksModule } from '@pbx/trunks';
import { RoutesModule } from '@pbx/routes';
import { CallerIdsModule } from '@pbx/caller-ids';
import { DialPolicyModule } from '@pbx/dial-policy';
import { InboundRoutesModule } from '@pbx/inbound-routes';
import { RecordingRowsModule } from '@pbx/recordings';
import { Call } from './persistence/call.entity';
import { CallLeg } from './persistence/call-leg.entity';
import { StoredCallEvent } from './persistence/stored-call-event.entity';
import { IdempotencyKey } from './persistence/idempotency-key.entity';
import { CallStateFunnel } from './persistence/call-state.funnel';
import { CallsRepository } from './persistence/calls.repository';
import { LegDialer } from './flow/leg-dialer';
import { CallFlow } from './flow/call-flow';
import { ChannelIntake } from './flow/channel-intake';
import { Reconciler } from './flow/reconciler';
import { CallEntry } from './flow/call-entry';
import { EntryPlanner } from './flow/entry-planner';
import { MemberRinger } from './flow/member-ringer';
import { CelRecovery } from './recovery/cel-recovery';
import { CallsController } from './api/calls.controller';
import { CallsService } from './api/calls.service';
import { ClickToCallService } from './api/click-to-call.service';
import { ClickToCallPlanner } from './api/click-to-call.plan';
import { CallerIdPolicy } from './api/caller-id.policy';
import { Idempotency } from './api/idempotency';
import { CallCommands } from './control/call-commands';
import { CommandRunner } from './control/command-runner';
import { LiveControl } from './control/live-control';
import { TransferTargets } from './control/transfer-target';
import { ReferHandler } from './control/refer-handler';
import { CallRecorder } from './recording/call-recorder';
import { EventLog } from './events/event-log';
import { CallsRetention } from './retention/calls-retention';
import { ExtensionEvents } from './persistence/extension-events';
import { ExtensionStateWatcher } from './extension-state/extension-state.watcher';

const ENTITIES = TypeOrmModule.forFeature([Call, CallLeg, StoredCallEvent, IdempotencyKey]);
/** pbx_active_calls counts through this domain's repository. */
@Injectable()
class ActiveCallsMetric implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly calls: CallsRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.countActiveCallsWith(() => this.calls.countLive());
  }
}

/** Both sides write through the funnel, which needs the webhook outbox (CALL_EVENT_SINK, global) and the CDR writer. */
const CORE = [CallStateFunnel, CallsRepository, LegDialer, ActiveCallsMetric];

/** API side: click-to-call and call lookup. */
@Module({
  imports: [
    ENTITIES,
    CdrWriterModule,
    RecordingRowsModule,
    AuthModule,
    ExtensionsModule,
    TrunksModule,
    RoutesModule,
    CallerIdsModule,
    DialPolicyModule,
  ],
  controllers: [CallsController],
  providers: [
    ...CORE,
    ClickToCallService,
    ClickToCallPlanner,
    CallerIdPolicy,
    Idempotency,
    CallsService,
    CallCommands,
    EventLog,
  ],
  // the real-time stream (libs/event-stream) reads the stored events through it
  exports: [EventLog],
})
export class CallsModule {}

/** Worker side: the Stasis app that takes every call and drives its legs. */
@Module({
  imports: [
    ENTITIES,
    CdrWriterModule,
    RecordingRowsModule,
    ExtensionsModule,
    TrunksModule,
    RoutesModule,
    InboundRoutesModule,
    DialPolicyModule,
  ],
  providers: [
    ...CORE,
    CallFlow,
    MemberRinger,
    EntryPlanner,
    CallEntry,
    ChannelIntake,
    Reconciler,
    CelRecovery,
    TransferTargets,
    LiveControl,
    CommandRunner,
    ReferHandler,
    CallRecorder,
    CallsRetention,
    ExtensionEvents,
    ExtensionStateWatcher,
  ],
  exports: [Reconciler, CallsRetention],
})
export class CallControlModule {}
