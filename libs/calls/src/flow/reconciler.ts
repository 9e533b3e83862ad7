import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { MetricsService } from '@pbx/metrics';
import { Asterisk, ChannelHistory, LegHistory, LiveChannel } from '@pbx/asterisk';
import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallsRepository } from '../persistence/calls.repository';
import { CallChange } from '../state/call-change';
import { CallStatus } from '../state/call.state';
import { causeText } from '../state/hangup-cause';
import { CelRecovery } from '../recovery/cel-recovery';
import { CallFlow } from './call-flow';
import { CallRecorder } from '../recording/call-recorder';

/** a queued call whose A-leg never reached Asterisk is failed after this long */
const QUEUED_GRACE_MS = 15_000;
const OPEN_CALLS_PER_RUN = 5_000;

/**
 * Re-adopts what Asterisk still holds after a restart or lost events, at start, after every
 * reconnection and every 30 s: legs gone from Asterisk are ended (with their real times and
 * causes from CEL when Asterisk logged them), live legs catch up with their state, and calls that
 * happened without the worker are recorded from CEL (CelRecovery). A run never
 * overlaps the previous one: a hung Asterisk makes runs time out (the facade's deadline), not pile up.
 */
@Injectable()
export class Reconciler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('reconcile');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(
    private readonly asterisk: Asterisk,
    private readonly calls: CallsRepository,
    private readonly history: ChannelHistory,
    private readonly flow: CallFlow,
    private readonly recovery: CelRecovery,
    private readonly recorder: CallRecorder,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.asterisk.onConnected(() => void this.run());
    this.timer = setInterval(() => void this.run(), this.config.calls.reconcileIntervalMs);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One run at a time: a run asked for while one is going joins it. */
  run(): Promise<void> {
    if (this.running) {
      this.metrics.reconcileRuns.inc({ outcome: 'joined' });
      return this.running;
    }
    this.metrics.reconcileInProgress.inc();
    this.running = this.reconcile().finally(() => {
      this.running = null;
      this.metrics.reconcileInProgress.dec();
    });
    return this.running;
  }

  private async reconcile(): Promise<void> {
    if (!this.asterisk.connected) {
      this.metrics.reconcileRuns.inc({ outcome: 'skipped' });
      return;
    }
    try {
      const channels = await this.asterisk.liveChannels();
      const open = await this.calls.openCalls(OPEN_CALLS_PER_RUN);
      const runs: Promise<void>[] = [];
      for (const call of open) {
        const legs = await this.calls.legsOf(call.callUuid);
        for (const leg of legs) this.flow.remember(leg.channelId, call.callUuid);
        const gone = legs.filter((l) => l.state !== 'ended' && !channels.has(l.channelId)).map((l) => l.channelId);
        const history = await this.history.of(gone);
        runs.push(this.flow.queue.run(call.callUuid, () => this.reconcileCall(call, legs, channels, history)));
      }
      await Promise.all(runs);
      // calls that happened without us, from Asterisk's log (then its purge)
      await this.recovery.run();
      // recordings a stopped worker left pending
      await this.recorder.resumeOrphans();
      this.metrics.reconcileRuns.inc({ outcome: 'ok' });
    } catch (error) {
      this.metrics.reconcileRuns.inc({ outcome: 'failed' });
      this.logger.warn(`reconcile failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async reconcileCall(
    call: Call,
    legs: CallLeg[],
    channels: Map<string, LiveChannel>,
    history: Map<string, LegHistory>,
  ): Promise<void> {
    const now = new Date();
    const caller = legs.find((l) => l.leg === 'a')?.channelId ?? call.aLegUuid;
    if (
      call.status === CallStatus.Queued &&
      !channels.has(caller) &&
      !history.has(caller) &&
      now.getTime() - call.createdAt.getTime() > QUEUED_GRACE_MS
    ) {
      await this.flow.step(call.callUuid, {
        kind: 'call_failed',
        at: now,
        cause: null,
        causeText: 'the agent leg never reached Asterisk',
      });
      return;
    }
    // in the order they happened, so "who hung up first" stays true
    const changes = legs
      .filter((l) => l.state !== 'ended')
      .flatMap((leg) => this.catchUp(leg, channels.get(leg.channelId), history.get(leg.channelId), now))
      .sort((x, y) => x.at.getTime() - y.at.getTime());
    for (const change of changes) {
      this.logger.log(
        `call ${call.callUuid}: reconciled leg ${'channelId' in change ? change.channelId : '-'} → ${change.kind} at ${change.at.toISOString()}`,
      );
      await this.flow.step(call.callUuid, change);
    }
  }

  /** The changes a leg missed, from its live channel or, once gone, from Asterisk's channel log. */
  private catchUp(
    leg: CallLeg,
    channel: LiveChannel | undefined,
    past: LegHistory | undefined,
    now: Date,
  ): CallChange[] {
    if (channel) {
      if (channel.state === 'Up' && leg.state !== 'answered')
        return [{ kind: 'leg_answered', channelId: leg.channelId, at: now }];
      if (channel.state === 'Ringing' && leg.state === 'created')
        return [{ kind: 'leg_ringing', channelId: leg.channelId, at: now }];
      return [];
    }
    if (!past && leg.state === 'created' && now.getTime() - leg.createdAt.getTime() < QUEUED_GRACE_MS) return []; // still being dialed
    const changes: CallChange[] = [];
    if (past?.answeredAt && leg.state !== 'answered')
      changes.push({ kind: 'leg_answered', channelId: leg.channelId, at: past.answeredAt });
    const cause = past?.cause ?? null;
    // no record from Asterisk (it died with the channel): the moment we lost it is the best guess
    const lostAt =
      this.asterisk.lastLostAt && this.asterisk.lastLostAt > leg.createdAt ? this.asterisk.lastLostAt : undefined;
    changes.push({
      kind: 'leg_ended',
      channelId: leg.channelId,
      at: past?.endedAt ?? lostAt ?? now,
      cause,
      causeText: past ? causeText(cause) : 'ended while the control plane was away',
    });
    return changes;
  }
}
