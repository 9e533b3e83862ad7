import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isIP } from 'node:net';
import { Repository } from 'typeorm';
import { AsteriskAcl } from '@pbx/asterisk';
import { SipBan } from './sip-ban.entity';

export interface BanView {
  address: string;
  failures: number;
  banned_at: Date;
  expires_at: Date;
}

/**
 * The bans table (the truth, kept across restarts) and the way its changes reach Asterisk:
 * each change is written to Asterisk's own ACL at once (AsteriskAcl, astdb over AMI), so
 * Asterisk reads no row per SIP packet and a ban holds while the database is unreachable. A
 * write that did not reach Asterisk is made good by the worker's sweep (`sync`).
 */
@Injectable()
export class BansStore {
  private readonly logger = new Logger('sip-bans');

  constructor(
    @InjectRepository(SipBan) private readonly bans: Repository<SipBan>,
    private readonly acl: AsteriskAcl,
  ) {}

  async list(): Promise<BanView[]> {
    const rows = await this.bans.query<BanView[]>(
      `SELECT host(address) AS address, failures, banned_at, expires_at
         FROM sip_bans WHERE expires_at > now() ORDER BY banned_at DESC, address`,
    );
    return rows.map((row) => ({ ...row, failures: Number(row.failures) }));
  }

  /** Bans (or bans again, for longer) `address`, then tells Asterisk; false when that failed. */
  async ban(address: string, failures: number, seconds: number): Promise<boolean> {
    await this.bans.query(
      `INSERT INTO sip_bans (address, failures, banned_at, expires_at)
       VALUES ($1::inet, $2, now(), now() + make_interval(secs => $3))
       ON CONFLICT (address) DO UPDATE
         SET failures = EXCLUDED.failures, banned_at = EXCLUDED.banned_at, expires_at = EXCLUDED.expires_at`,
      [address, failures, seconds],
    );
    return this.apply(`ban ${address}`, () => this.acl.deny(address));
  }

  /** Lifts a ban; false when `address` is not banned (or not an address). */
  async lift(address: string): Promise<boolean> {
    if (isIP(address) === 0) return false;
    // a DELETE answers [rows, count]
    const [, count] = await this.bans.query<[unknown, number]>(
      `DELETE FROM sip_bans WHERE address = $1::inet AND expires_at > now()`,
      [address],
    );
    if (count === 0) return false;
    await this.apply(`lift ${address}`, () => this.acl.allow(address));
    return true;
  }

  /** Drops expired rows; the addresses still banned (sorted) and the next expiry, if any. */
  async sweep(): Promise<{ active: string[]; nextExpiry: Date | null }> {
    await this.bans.query(`DELETE FROM sip_bans WHERE expires_at <= now()`);
    const rows = await this.bans.query<Array<{ address: string; expires_at: Date }>>(
      `SELECT host(address) AS address, expires_at FROM sip_bans ORDER BY address`,
    );
    const next = rows.reduce<Date | null>((min, r) => (min === null || r.expires_at < min ? r.expires_at : min), null);
    return { active: rows.map((r) => r.address), nextExpiry: next };
  }

  /** Makes Asterisk hold exactly `active` (from `sweep`); false when AMI failed. */
  async sync(active: string[]): Promise<boolean> {
    return this.apply('sync', () => this.acl.sync(active));
  }

  /** A failure is logged, not thrown: the row is the truth and the worker's sweep syncs again. */
  private async apply(what: string, change: () => Promise<void>): Promise<boolean> {
    try {
      await change();
      return true;
    } catch (error) {
      this.logger.warn(`${what}: Asterisk's ACL not updated (${String(error)}); the worker retries within 30 s`);
      return false;
    }
  }
}
