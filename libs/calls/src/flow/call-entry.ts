import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Asterisk, ChannelEvent, endpointOfChannelName } from '@pbx/asterisk';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { withLogFields } from '@pbx/logging';
import { CallStateFunnel } from '../persistence/call-state.funnel';
import { CallFlow } from './call-flow';
import { EntryPlanner, IncomingCall } from './entry-planner';
import { MemberRinger } from './member-ringer';

/**
 * Adopts every call the dialplan hands to the Stasis app (a carrier's, a phone's): raises the
 * channel's 10 s adoption timeout to MAX_CALL_SECONDS, decides what the call is (EntryPlanner),
 * then either refuses it with its cause (a FAILED CDR, no event) or stores it (`started`), sends
 * ringing to the caller, and rings the callees through the call flow.
 */
@Injectable()
export class CallEntry implements OnModuleInit {
  private readonly logger = new Logger('call-entry');

  constructor(
    private readonly asterisk: Asterisk,
    private readonly planner: EntryPlanner,
    private readonly funnel: CallStateFunnel,
    private readonly flow: CallFlow,
    private readonly ringer: MemberRinger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.asterisk.onChannelEvent((event) => {
      if (event.type !== 'entered') return;
      if (event.entry.kind !== 'inbound' && event.entry.kind !== 'phone') return;
      const incoming = incomingOf(event, event.entry.kind === 'inbound' ? 'trunk' : 'phone');
      void withLogFields({ channel_id: event.channelId }, () =>
        this.adopt(incoming).catch((error: unknown) => {
          this.logger.warn(
            `channel ${incoming.channelId}: could not take the call: ${error instanceof Error ? error.message : String(error)}`,
          );
          return this.asterisk.hangupWithCause(incoming.channelId, 34).catch(() => undefined);
        }),
      );
    });
  }

  private async adopt(incoming: IncomingCall): Promise<void> {
    // the timeout is raised while the call is planned, both before anything is written
    const [, plan] = await Promise.all([
      this.asterisk.setVariable(incoming.channelId, 'TIMEOUT(absolute)', String(this.config.calls.maxCallSeconds)),
      this.planner.plan(incoming),
    ]);
    const { call, caller } = plan;
    if (plan.kind === 'refuse') {
      await this.funnel.recordRefused(call, caller);
      await this.asterisk.hangupWithCause(incoming.channelId, call.hangupCause);
      return;
    }
    // the caller's own events (a hangup already) queue behind the call's creation
    this.flow.remember(incoming.channelId, call.callUuid);
    await this.flow.queue.run(
      call.callUuid,
      async () => {
        await this.funnel.create(call, caller);
        const step = (change: Parameters<CallFlow['step']>[1]) => this.flow.step(call.callUuid, change);
        // ringing to the caller and the callees' dial go out together
        await Promise.all([
          this.asterisk.ring(incoming.channelId).catch(() => undefined),
          call.ringPlan
            ? this.ringer.start(call, [caller], step)
            : this.flow.dialCallee(call, incoming.channelId, 0, randomUUID()),
        ]);
      },
      { call_uuid: call.callUuid },
    );
  }
}

function incomingOf(event: Extract<ChannelEvent, { type: 'entered' }>, from: 'trunk' | 'phone'): IncomingCall {
  return {
    channelId: event.channelId,
    from,
    endpoint: endpointOfChannelName(event.name) ?? '',
    exten: event.exten ?? 's',
    callerNumber: event.callerNumber,
    at: event.at,
  };
}
