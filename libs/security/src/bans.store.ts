import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isIP } from 'node:net';
import { Repository } from 'typeorm';
import { PJSIP_CACHES, PjsipCache } from '@pbx/asterisk';
import { SipBan } from './sip-ban.entity';

export interface BanView {
  address: string;
  failures: number;
  banned_at: Date;
  expires_at: Date;
}

/**
 * The bans table and the one way its changes reach Asterisk: ps_acls is cached whole in
 * Asterisk (memory_cache, full_backend_cache), so after every change the cache is populated
 * again (AMI SorceryMemoryCachePopulate). Between two populates Asterisk reads no row, so a
 * ban holds while the database is unreachable.
 */
@Injectable()
export class BansStore {
  private readonly logger = new Logger('sip-bans');

  constructor(
    @InjectRepository(SipBan) private readonly bans: Repository<SipBan>,
    private readonly pjsipCache: PjsipCache,
  ) {}

  async list(): Promise<BanView[]> {
    const rows = await this.bans.query<BanView[]>(
      `SELECT host(address) AS address, failures, banned_at, expires_at
         FROM sip_bans WHERE expires_at > now() ORDER BY banned_at DESC, address`,
    );
    return rows.map((row) => ({ ...row, failures: Number(row.failures) }));
  }

  /** Bans (or bans again, for longer) `address`; then refreshes Asterisk's ACL. */
  async ban(address: string, failures: number, seconds: number): Promise<void> {
    await this.bans.query(
      `INSERT INTO sip_bans (address, failures, banned_at, expires_at)
       VALUES ($1::inet, $2, now(), now() + make_interval(secs => $3))
       ON CONFLICT (address) DO UPDATE
         SET failures = EXCLUDED.failures, banned_at = EXCLUDED.banned_at, expires_at = EXCLUDED.expires_at`,
      [address, failures, seconds],
    );
    await this.refresh();
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
    await this.refresh();
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

  /**
   * Asterisk's ACL cache again from ps_acls. A failure is logged, not thrown: the row is the
   * truth and the worker's sweep populates again when what Asterisk holds differs from it.
   */
  async refresh(): Promise<boolean> {
    try {
      await this.pjsipCache.populate(PJSIP_CACHES.acl);
      return true;
    } catch (error) {
      this.logger.warn(`ACL cache not refreshed (${String(error)}): the worker retries within 30 s`);
      return false;
    }
  }
}
