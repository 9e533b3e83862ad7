import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { AmiMessage } from 'asterisk-ami-client';
import { AmiConnection } from '@pbx/asterisk';
import { SECURITY_METRICS, SecurityMetrics } from './ban-enforcer';

/** `sip:1001@203.0.113.9:5060;transport=udp` -> `203.0.113.9:5060` */
function hostOf(uri: string): string {
  return uri
    .replace(/^sips?:/, '')
    .replace(/^[^@]*@/, '')
    .split(';')[0];
}

/**
 * A phone's contact that moves to a new address while the old one was not known unreachable
 * (a stolen credential registering from elsewhere looks like this) is logged and counted.
 * Asterisk replaces the contact (max_contacts 1, remove_existing): the new one is Created
 * before the old one is Removed, so the AOR's last known contact is still there to compare.
 * Known since this worker started; a restart begins with none.
 */
@Injectable()
export class ContactMoves implements OnModuleInit {
  private readonly logger = new Logger('registrations');
  private readonly contacts = new Map<string, { host: string; reachable: boolean }>();

  constructor(
    private readonly ami: AmiConnection,
    @Optional() @Inject(SECURITY_METRICS) private readonly metrics?: SecurityMetrics,
  ) {}

  onModuleInit(): void {
    this.ami.on('event', (event: AmiMessage) => {
      if (event.Event === 'ContactStatus' && event.AOR && event.URI)
        this.onStatus(event.AOR, event.URI, event.ContactStatus);
    });
  }

  onStatus(aor: string, uri: string, status: string | undefined): void {
    const host = hostOf(uri);
    const known = this.contacts.get(aor);
    if (status === 'Removed') {
      if (known?.host === host) this.contacts.delete(aor);
      return;
    }
    if (status === 'Created' && known && known.host !== host && known.reachable) {
      this.metrics?.contactMoved();
      this.logger.warn(`aor ${aor} contact moved from ${known.host} to ${host} while the old one was reachable`);
    }
    if (status === 'Created' || host === known?.host || !known)
      this.contacts.set(aor, { host, reachable: status !== 'Unreachable' });
    if (this.contacts.size > 100_000) this.contacts.delete(this.contacts.keys().next().value as string);
  }
}
