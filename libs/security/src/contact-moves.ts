import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { AmiMessage } from 'asterisk-ami-client';
import { AmiConnection } from '@pbx/asterisk';
import { SECURITY_METRICS, SecurityMetrics } from './ban-enforcer';
import { ContactBook, ipOf } from './contact-book';
import { remoteAddressOf } from './failure-counter';

/** when the new address is not among the contacts yet (the registrar adds it just after the authentication), look once more after this */
const LOOK_AGAIN_MS = 300;

/**
 * A phone's contact that moves to a new address while the old one was not known unreachable
 * (a stolen credential registering from elsewhere looks like this) is logged and counted.
 *
 * Asterisk sends no ContactStatus event for the contacts of realtime AORs it did not load at
 * start (its qualify machinery only learns endpoints on a reload), so this cannot rely on
 * them. It watches the `security` class instead: a SuccessfulAuth (PJSIP) from an address the
 * account was not last seen at makes it read the endpoint's contacts (PJSIPShowEndpoint) and
 * compare them with what it saw before (ContactBook); one account's reads run in order. Known
 * since this worker started.
 */
@Injectable()
export class ContactMoves implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('registrations');
  private readonly book = new ContactBook();
  /** per account, the address of its last successful authentication */
  private readonly lastSeen = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** per account, its reads in order */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly ami: AmiConnection,
    @Optional() @Inject(SECURITY_METRICS) private readonly metrics?: SecurityMetrics,
  ) {}

  onModuleInit(): void {
    this.ami.on('event', (event: AmiMessage) => {
      if (event.Event !== 'SuccessfulAuth' || event.Service !== 'PJSIP' || !event.AccountID) return;
      const address = remoteAddressOf(event.RemoteAddress);
      if (!address || this.lastSeen.get(event.AccountID) === address) return;
      this.lastSeen.delete(event.AccountID);
      this.lastSeen.set(event.AccountID, address);
      if (this.lastSeen.size > 100_000) this.lastSeen.delete(this.lastSeen.keys().next().value as string);
      this.enqueue(event.AccountID, address, true);
    });
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private enqueue(endpoint: string, address: string, firstLook: boolean): void {
    const previous = this.queues.get(endpoint) ?? Promise.resolve();
    const next = previous
      .then(() => this.check(endpoint, address, firstLook))
      .catch((error) => this.logger.warn(`contacts of ${endpoint} not read: ${String(error)}`))
      .finally(() => {
        if (this.queues.get(endpoint) === next) this.queues.delete(endpoint);
      });
    this.queues.set(endpoint, next);
  }

  private lookAgain(endpoint: string, address: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(endpoint, address, false);
    }, LOOK_AGAIN_MS);
    timer.unref();
    this.timers.add(timer);
  }

  private async check(endpoint: string, address: string, firstLook: boolean): Promise<void> {
    if (!this.ami.connected) return;
    const details = await this.ami.list({ Action: 'PJSIPShowEndpoint', Endpoint: endpoint }, 'EndpointDetailComplete');
    const byAor = new Map<string, Array<{ ip: string; status: string; expiresAt: number }>>();
    for (const aor of details.filter((d) => d.Event === 'AorDetail' && d.ObjectName)) byAor.set(aor.ObjectName, []);
    for (const contact of details.filter((d) => d.Event === 'ContactStatusDetail' && d.AOR && d.ViaAddress)) {
      byAor.get(contact.AOR)?.push({
        ip: ipOf(contact.ViaAddress),
        status: contact.Status ?? 'Unknown',
        expiresAt: Number(contact.RegExpire) || Number.MAX_SAFE_INTEGER,
      });
    }
    const all = [...byAor.values()].flat();
    if (firstLook && !all.some((c) => c.ip === address)) return this.lookAgain(endpoint, address);
    for (const [aor, contacts] of byAor) {
      for (const move of this.book.observe(aor, contacts)) {
        this.metrics?.contactMoved();
        this.logger.warn(`aor ${aor} contact moved from ${move.from} to ${move.to} while the old one was reachable`);
      }
    }
  }
}
