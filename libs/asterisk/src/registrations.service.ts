import { Injectable } from '@nestjs/common';
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
