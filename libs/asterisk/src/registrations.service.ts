import { Injectable } from '@nestjs/common';
import { AmiMessage } from 'asterisk-ami-client';
import { AmiConnection } from './ami.connection';

const CACHE_MS = 500;

/**
 * Which AORs have a registered contact, read live from Asterisk (AMI PJSIPShowContacts).
 * One AMI round trip serves a whole list page; a short cache absorbs bursts.
 */
@Injectable()
export class RegistrationsService {
  private cached?: { at: number; aors: Promise<Set<string>> };

  constructor(private readonly ami: AmiConnection) {}

  /** The registered AOR ids, or null when Asterisk cannot be asked right now. */
  async registeredAors(): Promise<Set<string> | null> {
    if (!this.ami.connected) return null;
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      this.cached = { at: Date.now(), aors: this.fetch() };
    }
    try {
      return await this.cached.aors;
    } catch {
      this.cached = undefined;
      return null;
    }
  }

  /**
   * Like registeredAors, read now, and kept out of the cache: a read just before a phone's
   * REGISTER must not answer the call flow's next question (is the phone online?) for the next
   * 500 ms (with it there, calls to phones that had just registered were refused now and then).
   */
  async registeredAorsNow(): Promise<Set<string> | null> {
    if (!this.ami.connected) return null;
    try {
      return await this.fetch();
    } catch {
      return null;
    }
  }

  /**
   * Calls `listener` with the endpoint whose contacts may just have changed, and with null after
   * every (re)connection of AMI (anything may have changed meanwhile). Asterisk sends no
   * ContactStatus for the contacts of realtime AORs it did not load at start (its qualify
   * machinery learns endpoints only on a reload), so a REGISTER is seen as what comes with it:
   * a SuccessfulAuth of the account (the `security` event class; an un-REGISTER authenticates
   * too). The contact itself is stored just after: read the contacts back a little later
   * (registeredAorsNow). A contact that expires without an un-REGISTER sends nothing at all.
   */
  onContactChange(listener: (endpoint: string | null) => void): void {
    this.ami.on('event', (event: AmiMessage) => {
      if (event.Event === 'ContactStatus' && event.AOR) listener(event.AOR);
      else if (event.Event === 'SuccessfulAuth' && event.Service === 'PJSIP' && event.AccountID)
        listener(event.AccountID);
    });
    this.ami.on('connected', () => listener(null));
  }

  private async fetch(): Promise<Set<string>> {
    const contacts = await this.ami.list({ Action: 'PJSIPShowContacts' }, 'ContactListComplete');
    const now = Date.now() / 1000;
    return new Set(
      contacts
        .filter(
          (contact) =>
            contact.Status !== 'Unreachable' &&
            !(Number(contact.ExpirationTime) > 0 && Number(contact.ExpirationTime) < now),
        )
        // ObjectName is "<aor>;@<hash>"
        .map((contact) => (contact.ObjectName ?? '').split(';@')[0]),
    );
  }
}
