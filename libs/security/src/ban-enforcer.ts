import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { AmiMessage } from 'asterisk-ami-client';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { withDeadline } from '@pbx/common';
import { AmiConnection } from '@pbx/asterisk';
import { TrunksService } from '@pbx/trunks';
import { BansStore } from './bans.store';
import { cidrSet, FailureCounter, inSet, remoteAddressOf } from './failure-counter';

/** AMI security events that are a failed authentication (ChallengeSent is every first REGISTER). */
const FAILURES = new Set(['InvalidAccountID', 'ChallengeResponseFailed', 'InvalidPassword']);
/** how often, at most, the bans are compared with what Asterisk was last given */
const SWEEP_EVERY_MS = 30_000;

export const SECURITY_METRICS = Symbol('SECURITY_METRICS');
export interface SecurityMetrics {
  banned(): void;
  contactMoved(): void;
}

/**
 * The worker's side of SIP bans: counts failed authentications per source address from AMI
 * security events, bans an address that reaches SIP_BAN_AFTER_FAILURES within the window
 * (never an exempt one, a trunk's host or its inbound_addresses), and keeps Asterisk's ACL in step with the table:
 * when a ban expires, when the API's write to it failed, and after every AMI (re)connection.
 * Counts are per worker process and start over when it restarts; bans are in the database.
 */
@Injectable()
export class BanEnforcer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('sip-bans');
  private readonly counter: FailureCounter;
  private readonly exempt;
  private timer?: NodeJS.Timeout;
  /** the banned addresses Asterisk was last given (null: not known, sync on next sweep) */
  private applied: string | null = null;
  private sweeping = false;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ami: AmiConnection,
    private readonly store: BansStore,
    private readonly trunks: TrunksService,
    @Optional() @Inject(SECURITY_METRICS) private readonly metrics?: SecurityMetrics,
  ) {
    const bans = config.sipBans;
    this.counter = new FailureCounter(bans.afterFailures, bans.windowSeconds * 1000);
    this.exempt = cidrSet(bans.exempt);
  }

  onModuleInit(): void {
    this.ami.on('event', (event: AmiMessage) => {
      if (!FAILURES.has(event.Event ?? '')) return;
      void this.onFailure(event).catch((error) => this.logger.warn(`ban check failed: ${String(error)}`));
    });
    this.ami.on('connected', () => {
      this.applied = null; // a restarted Asterisk, or one we could not reach meanwhile
      this.schedule(0);
    });
    this.schedule(0);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async onFailure(event: AmiMessage): Promise<void> {
    const address = remoteAddressOf(event.RemoteAddress);
    if (!address || inSet(this.exempt, address)) return;
    const failures = this.counter.record(address);
    if (failures === null) return;
    if (await this.isTrunkHost(address)) return;
    const seconds = this.config.sipBans.seconds;
    await this.store.ban(address, failures, seconds);
    this.applied = null; // whether the write reached Asterisk or not, the sweep checks
    this.metrics?.banned();
    this.logger.warn(
      `banned ${address} for ${seconds} s after ${failures} failed SIP authentications (last: ${event.Event}, account ${event.AccountID ?? '?'})`,
    );
    this.schedule(0);
  }

  private async isTrunkHost(address: string): Promise<boolean> {
    if (inSet(cidrSet(await this.trunks.inboundAddresses()), address)) return true;
    for (const host of await this.trunks.hosts()) {
      if (isIP(host)) {
        if (host === address) return true;
        continue;
      }
      const resolved = await withDeadline(lookup(host, { all: true }), 2_000, `resolve ${host}`).catch(() => []);
      if (resolved.some((entry) => entry.address === address)) return true;
    }
    return false;
  }

  /** Drops expired bans and gives Asterisk the live ones when they differ from what it holds. */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    let next = SWEEP_EVERY_MS;
    try {
      const { active, nextExpiry } = await this.store.sweep();
      const fingerprint = active.join(',');
      if (fingerprint !== this.applied && this.ami.connected && (await this.store.sync(active)))
        this.applied = fingerprint;
      if (nextExpiry) next = Math.min(next, Math.max(0, nextExpiry.getTime() - Date.now()) + 50);
    } catch (error) {
      // database away: Asterisk keeps what it holds, which is what we want
      this.logger.warn(`ban sweep failed: ${String(error)}`);
    } finally {
      this.sweeping = false;
      this.schedule(next);
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.sweep(), ms);
    this.timer.unref();
  }
}
