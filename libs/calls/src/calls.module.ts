import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Cdr } from '@pbx/cdrs';
import { ExtensionsModule } from '@pbx/extensions';
import { TrunksModule } from '@pbx/trunks';
import { RoutesModule } from '@pbx/routes';
import { CallerIdsModule } from '@pbx/caller-ids';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { StoredCallEvent } from './stored-call-event.entity';
import { IdempotencyKey } from './idempotency-key.entity';
import { CallStateFunnel } from './call-state.funnel';
import { LegDialer } from './leg-dialer';
import { ClickToCallService } from './click-to-call.service';
import { CallsService } from './calls.service';
import { CallsController } from './calls.controller';
import { CallOrchestrator } from './call-orchestrator';
import { ChannelHistory } from './channel-history';

const ENTITIES = TypeOrmModule.forFeature([Call, CallLeg, StoredCallEvent, IdempotencyKey, Cdr]);

/** API side: click-to-call and call lookup. */
@Module({
  imports: [ENTITIES, ExtensionsModule, TrunksModule, RoutesModule, CallerIdsModule],
  controllers: [CallsController],
  providers: [CallStateFunnel, LegDialer, ClickToCallService, CallsService],
  exports: [CallStateFunnel],
})
export class CallsModule {}

/** Worker side: the Stasis app that drives the legs. */
@Module({
  imports: [ENTITIES],
  providers: [CallStateFunnel, LegDialer, ChannelHistory, CallOrchestrator],
  exports: [CallOrchestrator],
})
export class CallControlModule {}
