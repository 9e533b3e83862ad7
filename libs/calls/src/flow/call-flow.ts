import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Asterisk, trunkDialString } from '@pbx/asterisk';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { MetricsService } from '@pbx/metrics';
import { withLogFields } from '@pbx/logging';
import { Call } from '../persistence/call.entity';
import { CallStateFunnel } from '../persistence/call-state.funnel';
import { CallsRepository } from '../persistence/calls.repository';
import { CallChange } from '../state/call-change';
import { Decision } from '../state/decide';
import { observeDecision } from './call-metrics';
import { CallQueue } from './call-queue';
import { LegDialer } from './leg-dialer';
import { Action, reactions } from './reaction-policy';

/**
 * The worker's one path for a change of a call: through the funnel, then the reactions
 * (reaction-policy.ts) to what the funnel did, carried out on Asterisk. Changes of one call
 * run one at a time (CallQueue); `legToCall` maps our leg ids to their call.
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
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    for (const timer of this.responseTimers.values()) clearTimeout(timer);
  }

  remember(legUuid: string, callUuid: string): void {
    this.legToCall.set(legUuid, callUuid);
  }

  /** The call of one of our legs, from memory or the database; null for channels not ours. */
  async callOf(legUuid: string): Promise<string | null> {
    const known = this.legToCall.get(legUuid);
    if (known) return known;
    const callUuid = await this.calls.callOfLeg(legUuid).catch(() => null);
    if (callUuid) this.legToCall.set(legUuid, callUuid);
    return callUuid;
  }

  /** A change of one leg, queued behind the call's earlier changes. */
  legChanged(legUuid: string, change: CallChange): void {
    this.logger.debug(`leg ${legUuid}: ${change.kind}`);
    if (change.kind !== 'leg_created') this.clearResponseTimer(legUuid);
    void this.callOf(legUuid).then((callUuid) => {
      if (callUuid)
        void this.queue.run(callUuid, async () => void (await this.step(callUuid, change)), { leg_uuid: legUuid });
    });
  }

  /** Apply, then react: the only place both happen. Runs inside the call's queue. */
  async step(callUuid: string, change: CallChange): Promise<Decision | null> {
    const decision = await this.funnel.apply(callUuid, change);
    if (!decision?.changed) return decision;
    observeDecision(this.metrics, decision);
    for (const action of reactions(decision, change)) await this.act(decision.call, action);
    return decision;
  }

  private async act(call: Call, action: Action): Promise<void> {
    switch (action.kind) {
      case 'ring':
        await this.asterisk.ring(action.legUuid).catch(() => undefined);
        return;
      case 'dial_callee':
        await this.dialCallee(call, action.step, action.legUuid ?? randomUUID());
        return;
      case 'bridge':
        await this.asterisk.stopRinging(action.callerLeg).catch(() => undefined);
        await this.asterisk.bridge(call.callUuid, [action.callerLeg, action.calleeLeg]);
        this.logger.log(`call ${call.callUuid}: bridged ${action.callerLeg} ⇄ ${action.calleeLeg}`);
        return;
      case 'hangup':
        this.logger.log(`call ${call.callUuid}: hanging up leg ${action.legUuid} (cause ${action.cause ?? '-'})`);
        await this.asterisk.hangupWithCause(action.legUuid, action.cause).catch(() => undefined);
        return;
      case 'release':
        for (const [leg, owner] of this.legToCall) if (owner === call.callUuid) this.legToCall.delete(leg);
        await this.asterisk.destroyBridge(call.callUuid).catch(() => undefined);
        return;
    }
  }

  private async dialCallee(call: Call, step: number, legUuid: string): Promise<void> {
    const route = call.routePlan[step];
    if (!route) return;
    this.legToCall.set(legUuid, call.callUuid);
    // record the leg first, so an agent hangup racing with the dial knows there is a B-leg to end
    await this.step(call.callUuid, {
      kind: 'leg_created',
      legUuid,
      leg: 'b',
      endpoint: trunkDialString(route.trunkId, route.dial),
      trunkId: route.trunkId,
      at: new Date(),
    });
    try {
      await this.dialer.dialCustomer({
        callUuid: call.callUuid,
        legUuid,
        aLegUuid: call.aLegUuid,
        trunkId: route.trunkId,
        dial: route.dial,
        callerId: call.callerId,
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
        legUuid,
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
        withLogFields({ leg_uuid: legUuid }, () => {
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
