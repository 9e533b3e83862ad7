import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Asterisk, trunkDialString } from '@pbx/asterisk';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { MetricsService } from '@pbx/metrics';
import { withLogFields } from '@pbx/logging';
import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallStateFunnel } from '../persistence/call-state.funnel';
import { CallsRepository } from '../persistence/calls.repository';
import { CallChange } from '../state/call-change';
import { Decision } from '../state/decide';
import { observeDecision } from './call-metrics';
import { CallRecorder } from '../recording/call-recorder';
import { CallQueue } from './call-queue';
import { LegDialer } from './leg-dialer';
import { MemberRinger } from './member-ringer';
import { Action, reactions } from './reaction-policy';

/**
 * The worker's one path for a change of a call: through the funnel, then the reactions
 * (reaction-policy.ts) to what the funnel did, carried out on Asterisk. Changes of one call
 * run one at a time (CallQueue); `legToCall` maps Asterisk's channel ids to their call.
 */
@Injectable()
export class CallFlow implements OnModuleDestroy {
  private readonly logger = new Logger('call-flow');
  readonly queue = new CallQueue(this.logger);
  private readonly legToCall = new Map<string, string>();
  /** B-legs waiting for the carrier's first ringing/progress, by leg uuid */
  private readonly responseTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly funnel: CallStateFunnel,
    private readonly calls: CallsRepository,
    private readonly asterisk: Asterisk,
    private readonly dialer: LegDialer,
    private readonly ringer: MemberRinger,
    private readonly metrics: MetricsService,
    private readonly recorder: CallRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    for (const timer of this.responseTimers.values()) clearTimeout(timer);
  }

  remember(channelId: string, callUuid: string): void {
    this.legToCall.set(channelId, callUuid);
  }

  /** The call of one of our channels, from memory or the database; null for channels not ours. */
  async callOf(channelId: string): Promise<string | null> {
    const known = this.legToCall.get(channelId);
    if (known) return known;
    const callUuid = await this.calls.callOfChannel(channelId).catch(() => null);
    if (callUuid) this.legToCall.set(channelId, callUuid);
    return callUuid;
  }

  /** A change of one leg, queued behind the call's earlier changes. */
  legChanged(channelId: string, change: CallChange): void {
    this.logger.debug(`channel ${channelId}: ${change.kind}`);
    if (change.kind !== 'leg_created') this.clearResponseTimer(channelId);
    void this.callOf(channelId).then((callUuid) => {
      if (callUuid)
        void this.queue.run(callUuid, async () => void (await this.step(callUuid, change)), { channel_id: channelId });
    });
  }

  /** Apply, then react: the only place both happen. Runs inside the call's queue. */
  async step(callUuid: string, change: CallChange): Promise<Decision | null> {
    const decision = await this.funnel.apply(callUuid, change);
    if (!decision?.changed) return decision;
    observeDecision(this.metrics, decision);
    for (const action of reactions(decision, change)) await this.act(decision, action);
    return decision;
  }

  private async act({ call, legs }: Decision, action: Action): Promise<void> {
    switch (action.kind) {
      case 'ring':
        await this.asterisk.ring(action.channelId).catch(() => undefined);
        return;
      case 'answer':
        await this.asterisk.answer(action.channelId).catch(() => undefined);
        return;
      case 'dial_callee':
        await this.dialCallee(call, callerChannel(call, legs), action.step, action.legUuid ?? randomUUID());
        return;
      case 'ring_next_member':
        await this.ringer.ringNext(call, legs, action.cause, (change) => this.step(call.callUuid, change));
        return;
      case 'bridge':
        await this.asterisk.stopRinging(action.callerChannel).catch(() => undefined);
        await this.asterisk.bridge(call.callUuid, [action.callerChannel, action.calleeChannel]);
        this.logger.log(`call ${call.callUuid}: bridged ${action.callerChannel} ⇄ ${action.calleeChannel}`);
        await this.recorder.startIfWanted(call, legs, action.calleeChannel);
        return;
      case 'join_bridge':
        await this.asterisk.stopPlayback(ringbackOf(call.callUuid)).catch(() => undefined);
        await this.asterisk.addToBridge(call.callUuid, action.channelId);
        this.logger.log(`call ${call.callUuid}: transfer target ${action.channelId} joined the bridge`);
        return;
      case 'hangup':
        this.logger.log(`call ${call.callUuid}: hanging up ${action.channelId} (cause ${action.cause ?? '-'})`);
        await this.asterisk.hangupWithCause(action.channelId, action.cause).catch(() => undefined);
        return;
      case 'release':
        for (const [channel, owner] of this.legToCall) if (owner === call.callUuid) this.legToCall.delete(channel);
        // the active segment is stopped while its bridge still exists; the MP3 is made after
        await this.recorder.finish(call.callUuid);
        await this.asterisk.destroyBridge(call.callUuid).catch(() => undefined);
        return;
    }
  }

  /** Dials step `step` of the call's route plan (click-to-call, a phone's outbound call). */
  async dialCallee(call: Call, caller: string, step: number, legUuid: string): Promise<void> {
    const route = call.routePlan[step];
    if (!route) return;
    this.remember(legUuid, call.callUuid);
    // record the leg first, so a caller hangup racing with the dial knows there is a callee to end
    await this.step(call.callUuid, {
      kind: 'leg_created',
      legUuid,
      channelId: legUuid,
      leg: 'b',
      extension: null,
      endpoint: trunkDialString(route.trunkId, route.dial),
      trunkId: route.trunkId,
      at: new Date(),
    });
    try {
      await this.dialer.dialCustomer({
        callUuid: call.callUuid,
        legUuid,
        callerChannel: caller,
        trunkId: route.trunkId,
        dial: route.dial,
        callerId: call.callerId ?? '',
        headers: call.headers,
      });
      this.logger.log(
        `call ${call.callUuid}: dialing ${route.dial} via trunk ${route.trunkId} "${route.trunkName}" as ${call.callerId}`,
      );
      this.startResponseTimer(call.callUuid, legUuid, route.trunkId);
    } catch (error) {
      this.logger.warn(
        `call ${call.callUuid}: B-leg dial via trunk ${route.trunkId} refused: ${error instanceof Error ? error.message : String(error)}`,
      );
      await this.step(call.callUuid, {
        kind: 'leg_ended',
        channelId: legUuid,
        at: new Date(),
        cause: 38,
        causeText: 'dial refused',
        by: 'system',
      });
    }
  }

  /**
   * A carrier that neither rings nor answers within TRUNK_RESPONSE_TIMEOUT is unreachable:
   * the leg is ended as congestion (cause 34), which fails over to the route's next trunk.
   */
  private startResponseTimer(callUuid: string, legUuid: string, trunkId: number): void {
    const seconds = this.config.calls.trunkResponseTimeoutSeconds;
    const timer = setTimeout(
      () =>
        withLogFields({ channel_id: legUuid }, () => {
          this.responseTimers.delete(legUuid);
          this.logger.warn(
            `call ${callUuid}: trunk ${trunkId} gave no response in ${seconds} s; treating it as unreachable`,
          );
          this.asterisk.hangupWithCause(legUuid, 34).catch(() => undefined);
        }),
      seconds * 1000,
    );
    timer.unref();
    this.responseTimers.set(legUuid, timer);
  }

  private clearResponseTimer(legUuid: string): void {
    const timer = this.responseTimers.get(legUuid);
    if (timer) clearTimeout(timer);
    this.responseTimers.delete(legUuid);
  }
}

/** The caller's channel (the one talking now, after a transfer): a callee inherits its formats and linkedid. */
export function callerChannel(call: Call, legs: readonly CallLeg[]): string {
  return legs.find((l) => l.leg === 'a' && !l.released)?.channelId ?? call.aLegUuid;
}

/** The ringback a transfer plays into the call's bridge while its target rings. */
export const ringbackOf = (callUuid: string) => `ringback-${callUuid}`;
