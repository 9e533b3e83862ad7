import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { MetricsService } from '@pbx/metrics';
import type { Channel } from 'ari-client';
import { randomUUID } from 'node:crypto';
import { DataSource, Not } from 'typeorm';
import { AriConnection, AriEvent } from '@pbx/asterisk';
import { Call } from './call.entity';
import { CallLeg } from './call-leg.entity';
import { CallStatus } from './call.state';
import { CallChange, CallStateFunnel, FunnelResult } from './call-state.funnel';
import { causeText, hangupReason, isTrunkUnavailable } from './hangup-cause';
import { ChannelHistory, LegHistory } from './channel-history';
import { LegDialer } from './leg-dialer';

const RECONCILE_EVERY_MS = 30_000;
/** a queued call whose A-leg never reached Asterisk is failed after this long */
const QUEUED_GRACE_MS = 15_000;

/**
 * Drives click-to-call legs from ARI events (worker side): A answers → dial B; B answers →
 * bridge; one side ends → end the other; B's trunk unavailable → next trunk of the route.
 * State changes go through CallStateFunnel; this class only decides what Asterisk does next.
 * Events of one call are handled one at a time, in arrival order.
 */
@Injectable()
export class CallOrchestrator implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('call-flow');
  private readonly chains = new Map<string, Promise<void>>();
  private readonly legToCall = new Map<string, string>();
  /** B-legs waiting for the carrier's first ringing/progress, by leg uuid */
  private readonly responseTimers = new Map<string, NodeJS.Timeout>();
  private reconcileTimer?: NodeJS.Timeout;

  constructor(
    private readonly ari: AriConnection,
    private readonly dataSource: DataSource,
    private readonly funnel: CallStateFunnel,
    private readonly dialer: LegDialer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly history: ChannelHistory,
  ) {}

  onModuleInit(): void {
    this.ari.on('StasisStart', (event: ChannelEvent & { args?: string[] }) => {
      const [leg, callUuid] = event.args ?? [];
      if ((leg === 'a' || leg === 'b') && callUuid && event.channel) this.legToCall.set(event.channel.id, callUuid);
    });
    this.ari.on('ChannelStateChange', (event: ChannelEvent) => {
      const channel = event.channel;
      if (channel?.state === 'Ringing') this.change(channel.id, { kind: 'leg_ringing', legUuid: channel.id, at: eventTime(event) });
      else if (channel?.state === 'Up') this.change(channel.id, { kind: 'leg_answered', legUuid: channel.id, at: eventTime(event) });
    });
    this.ari.on('Dial', (event: AriEvent & { peer?: { id: string }; dialstatus?: string }) => {
      const peer = event.peer;
      if (!peer) return;
      if (event.dialstatus === 'RINGING' || event.dialstatus === 'PROGRESS') this.change(peer.id, { kind: 'leg_ringing', legUuid: peer.id, at: eventTime(event) });
      if (event.dialstatus === 'ANSWER') this.change(peer.id, { kind: 'leg_answered', legUuid: peer.id, at: eventTime(event) });
    });
    this.ari.on('ChannelDestroyed', (event: ChannelEvent & { cause?: number; cause_txt?: string }) => {
      if (!event.channel) return;
      const id = event.channel.id;
      this.change(id, { kind: 'leg_ended', legUuid: id, at: eventTime(event), cause: event.cause ?? null, causeText: event.cause_txt ?? null });
    });
    // after every (re)connection: catch up with whatever happened while the link was down
    this.ari.on('connected', () => void this.reconcile());
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.reconcileTimer);
    for (const timer of this.responseTimers.values()) clearTimeout(timer);
  }

  /** Feeds one change of a leg's channel to the funnel, then acts on the result. */
  private change(legUuid: string, change: CallChange): void {
    this.logger.debug(`leg ${legUuid}: ${change.kind}`);
    if (change.kind !== 'leg_created') this.clearResponseTimer(legUuid);
    void this.callOf(legUuid).then((callUuid) => {
      if (!callUuid) return;
      this.serialize(callUuid, async () => {
        const result = await this.funnel.apply(callUuid, change);
        if (result?.changed) await this.react(result, change);
      });
    });
  }

  private async react({ call, legs, events }: FunnelResult, change: CallChange): Promise<void> {
    this.observe(call, legs, events);
    if (call.status === CallStatus.Ended) {
      this.forget(call, legs);
      await this.ari.rest('DELETE', `/bridges/${call.callUuid}`).catch(() => undefined);
      return;
    }
    const leg = 'legUuid' in change ? legs.find((l) => l.legUuid === change.legUuid) : undefined;
    if (!leg) return;
    if (change.kind === 'leg_answered' && leg.leg === 'a' && !legs.some((l) => l.leg === 'b')) {
      await this.ari.rest('POST', `/channels/${leg.legUuid}/ring`).catch(() => undefined); // ringback for the agent
      await this.dialCustomer(call, 0, call.bLegUuid);
    } else if (change.kind === 'leg_answered' && leg.leg === 'b') {
      await this.bridge(call, legs);
    } else if (change.kind === 'leg_ended') {
      await this.legEnded(call, legs, leg, change.cause);
    }
  }

  private observe(call: Call, legs: CallLeg[], events: FunnelResult['events']): void {
    for (const event of events) {
      if (event.type === 'pbx.call.ringing') this.metrics.apiToAgentRinging.observe((Date.parse(event.occurred_at) - call.createdAt.getTime()) / 1000);
      if (event.type === 'pbx.call.answered' && event.leg === 'b') {
        const aAnswered = legs.find((l) => l.leg === 'a')?.answeredAt;
        if (aAnswered) this.metrics.agentToCustomerAnswer.observe((Date.parse(event.occurred_at) - aAnswered.getTime()) / 1000);
      }
    }
  }

  private async legEnded(call: Call, legs: CallLeg[], ended: CallLeg, cause: number | null): Promise<void> {
    const a = legs.find((l) => l.leg === 'a');
    const attempts = legs.filter((l) => l.leg === 'b').length;
    if (ended.leg === 'b' && !ended.answeredAt && a?.state === 'answered' && isTrunkUnavailable(cause) && attempts < call.routePlan.length) {
      this.logger.warn(`call ${call.callUuid}: trunk ${ended.trunkId} unavailable (cause ${cause}); trying the next trunk`);
      await this.dialCustomer(call, attempts, randomUUID());
      return;
    }
    const reason = hangupReason(cause);
    for (const other of legs.filter((l) => l.state !== 'ended')) {
      this.logger.log(`call ${call.callUuid}: ${ended.leg}-leg ended (cause ${cause ?? '-'}); hanging up ${other.leg}-leg (${reason})`);
      await this.ari.rest('DELETE', `/channels/${other.legUuid}`, { reason }).catch(() => undefined);
    }
  }

  private async dialCustomer(call: Call, step: number, legUuid: string): Promise<void> {
    const route = call.routePlan[step];
    if (!route) return;
    const endpoint = `PJSIP/${route.dial}@trunk-${route.trunkId}`;
    this.legToCall.set(legUuid, call.callUuid);
    // record the leg first, so an agent hangup racing with the dial knows there is a B-leg to end
    await this.funnel.apply(call.callUuid, { kind: 'leg_created', legUuid, leg: 'b', endpoint, trunkId: route.trunkId, at: new Date() });
    try {
      await this.dialer.dialCustomer({ callUuid: call.callUuid, legUuid, aLegUuid: call.aLegUuid, trunkId: route.trunkId, dial: route.dial, callerId: call.callerId, headers: call.headers });
      this.logger.log(`call ${call.callUuid}: dialing ${route.dial} via trunk ${route.trunkId} "${route.trunkName}" as ${call.callerId}`);
      this.startResponseTimer(call.callUuid, legUuid, route.trunkId);
    } catch (error) {
      this.logger.warn(`call ${call.callUuid}: B-leg dial via trunk ${route.trunkId} refused: ${error instanceof Error ? error.message : String(error)}`);
      const result = await this.funnel.apply(call.callUuid, { kind: 'leg_ended', legUuid, at: new Date(), cause: 38, causeText: 'dial refused', by: 'system' });
      if (result?.changed) await this.react(result, { kind: 'leg_ended', legUuid, at: new Date(), cause: 38, causeText: 'dial refused' });
    }
  }

  /**
   * A carrier that neither rings nor answers within TRUNK_RESPONSE_TIMEOUT is unreachable:
   * the leg is ended as congestion (cause 34), which fails over to the route's next trunk.
   */
  private startResponseTimer(callUuid: string, legUuid: string, trunkId: number): void {
    const timer = setTimeout(() => {
      this.responseTimers.delete(legUuid);
      this.logger.warn(`call ${callUuid}: trunk ${trunkId} gave no response in ${this.config.calls.trunkResponseTimeoutSeconds} s; treating it as unreachable`);
      this.ari.rest('DELETE', `/channels/${legUuid}`, { reason: 'congestion' }).catch(() => undefined);
    }, this.config.calls.trunkResponseTimeoutSeconds * 1000);
    timer.unref();
    this.responseTimers.set(legUuid, timer);
  }

  private clearResponseTimer(legUuid: string): void {
    const timer = this.responseTimers.get(legUuid);
    if (timer) clearTimeout(timer);
    this.responseTimers.delete(legUuid);
  }

  private async bridge(call: Call, legs: CallLeg[]): Promise<void> {
    const a = legs.find((l) => l.leg === 'a' && l.state !== 'ended');
    const b = legs.find((l) => l.leg === 'b' && l.state === 'answered');
    if (!a || !b) return;
    await this.ari.rest('DELETE', `/channels/${a.legUuid}/ring`).catch(() => undefined);
    await this.ari.rest('POST', '/bridges', { type: 'mixing', bridgeId: call.callUuid, name: `call-${call.callUuid}` });
    await this.ari.rest('POST', `/bridges/${call.callUuid}/addChannel`, { channel: `${a.legUuid},${b.legUuid}` });
    this.logger.log(`call ${call.callUuid}: bridged ${a.legUuid} ⇄ ${b.legUuid}`);
  }

  /**
   * Re-adopts what Asterisk still holds after a restart or lost events: legs gone from
   * Asterisk are ended, live legs catch up with their state, half-ended calls are finished.
   */
  async reconcile(): Promise<void> {
    const client = this.ari.client;
    if (!client || !this.ari.connected) return;
    try {
      const channels = new Map((await client.channels.list()).map((c) => [c.id, c]));
      const open = await this.dataSource.getRepository(Call).find({ where: { status: Not(CallStatus.Ended) }, take: 5_000 });
      for (const call of open) {
        const legs = await this.dataSource.getRepository(CallLeg).find({ where: { callUuid: call.callUuid }, order: { createdAt: 'ASC' } });
        for (const leg of legs) this.legToCall.set(leg.legUuid, call.callUuid);
        const gone = legs.filter((l) => l.state !== 'ended' && !channels.has(l.legUuid)).map((l) => l.legUuid);
        const history = await this.history.of(gone);
        this.serialize(call.callUuid, () => this.reconcileCall(call, legs, channels, history));
      }
      await this.history.purge();
    } catch (error) {
      this.logger.warn(`reconcile failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async reconcileCall(call: Call, legs: CallLeg[], channels: Map<string, Channel>, history: Map<string, LegHistory>): Promise<void> {
    const now = new Date();
    if (call.status === CallStatus.Queued && !channels.has(call.aLegUuid) && !history.has(call.aLegUuid) && now.getTime() - call.createdAt.getTime() > QUEUED_GRACE_MS) {
      await this.funnel.apply(call.callUuid, { kind: 'call_failed', at: now, cause: null, causeText: 'the agent leg never reached Asterisk' });
      return;
    }
    // in the order they happened, so "who hung up first" stays true
    const changes = legs
      .filter((l) => l.state !== 'ended')
      .flatMap((leg) => this.catchUp(leg, channels.get(leg.legUuid), history.get(leg.legUuid), now))
      .sort((x, y) => x.at.getTime() - y.at.getTime());
    for (const change of changes) {
      this.logger.log(`call ${call.callUuid}: reconciled leg ${'legUuid' in change ? change.legUuid : '-'} → ${change.kind} at ${change.at.toISOString()}`);
      const result = await this.funnel.apply(call.callUuid, change);
      if (result?.changed) await this.react(result, change);
    }
  }

  /** The changes a leg missed, from its live channel or, once gone, from Asterisk's channel log. */
  private catchUp(leg: CallLeg, channel: Channel | undefined, past: LegHistory | undefined, now: Date): CallChange[] {
    if (channel) {
      if (channel.state === 'Up' && leg.state !== 'answered') return [{ kind: 'leg_answered', legUuid: leg.legUuid, at: now }];
      if (channel.state === 'Ringing' && leg.state === 'created') return [{ kind: 'leg_ringing', legUuid: leg.legUuid, at: now }];
      return [];
    }
    if (!past && leg.state === 'created' && now.getTime() - leg.createdAt.getTime() < QUEUED_GRACE_MS) return []; // still being dialed
    const changes: CallChange[] = [];
    if (past?.answeredAt && leg.state !== 'answered') changes.push({ kind: 'leg_answered', legUuid: leg.legUuid, at: past.answeredAt });
    const cause = past?.cause ?? null;
    // no record from Asterisk (it died with the channel): the moment we lost it is the best guess
    const lostAt = this.ari.lastLostAt && this.ari.lastLostAt > leg.createdAt ? this.ari.lastLostAt : undefined;
    changes.push({ kind: 'leg_ended', legUuid: leg.legUuid, at: past?.endedAt ?? lostAt ?? now, cause, causeText: past ? causeText(cause) : 'ended while the control plane was away' });
    return changes;
  }

  private async callOf(legUuid: string): Promise<string | undefined> {
    const known = this.legToCall.get(legUuid);
    if (known) return known;
    const leg = await this.dataSource.getRepository(CallLeg).findOne({ where: { legUuid }, select: { callUuid: true, legUuid: true } }).catch(() => null);
    if (leg) this.legToCall.set(legUuid, leg.callUuid);
    return leg?.callUuid;
  }

  private serialize(callUuid: string, task: () => Promise<void>): void {
    const previous = this.chains.get(callUuid) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((error) => this.logger.error(`call ${callUuid}: ${error instanceof Error ? error.stack : String(error)}`))
      .finally(() => {
        if (this.chains.get(callUuid) === next) this.chains.delete(callUuid);
      });
    this.chains.set(callUuid, next);
  }

  private forget(call: Call, legs: CallLeg[]): void {
    for (const leg of legs) this.legToCall.delete(leg.legUuid);
    this.legToCall.delete(call.aLegUuid);
  }
}

type ChannelEvent = AriEvent & { channel?: { id: string; state: string } };

function eventTime(event: { timestamp?: string }): Date {
  const at = event.timestamp ? new Date(event.timestamp) : new Date();
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
