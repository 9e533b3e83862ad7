import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AmiConnection } from './ami.connection';
import { trunkEndpointId } from './dial-string';

/**
 * The sorcery memory caches of asterisk/templates/pbx/sorcery.conf, by name. endpoint, auth and
 * aor cache one object at a time; identify holds the whole table (`full_backend_cache`), which
 * Asterisk reads on every request, so it is refreshed whole (an object cannot be expired from a
 * full cache). The SIP ACL is not a cache: see AsteriskAcl.
 */
export const PJSIP_CACHES = {
  endpoint: 'pbx_endpoint',
  auth: 'pbx_auth',
  aor: 'pbx_aor',
  identify: 'pbx_identify',
} as const;

/**
 * Makes a write to the PJSIP views live at once although Asterisk caches them: the API expires
 * what it changed (AMI SorceryMemoryCacheExpireObject) after its database write and before it
 * answers, so a disabled extension's next REGISTER is refused.
 *
 * When AMI cannot be asked the answer still goes out (the database is the truth and the write
 * is done) with a warning: Asterisk then serves the old object for at most
 * object_lifetime_maximum (60 s), and every cache is emptied as soon as AMI is back, which
 * also covers writes made while it was away. An Asterisk that restarts starts with empty caches.
 */
@Injectable()
export class PjsipCache implements OnModuleInit {
  private readonly logger = new Logger('pjsip-cache');

  constructor(private readonly ami: AmiConnection) {}

  onModuleInit(): void {
    this.ami.on('connected', () => {
      void this.expireAll().catch((error) => this.logger.warn(`emptying the PJSIP caches failed: ${String(error)}`));
    });
  }

  /** An extension's endpoint, auth and AOR (all named by its number). */
  async expireExtension(number: string): Promise<void> {
    await this.expire(`extension ${number}`, [
      [PJSIP_CACHES.endpoint, number],
      [PJSIP_CACHES.auth, number],
      [PJSIP_CACHES.aor, number],
    ]);
  }

  /** A trunk's endpoint, outbound auth and AOR, and the identify table. */
  async expireTrunk(id: number): Promise<void> {
    const endpoint = trunkEndpointId(id);
    await this.expire(`trunk ${id}`, [
      [PJSIP_CACHES.endpoint, endpoint],
      [PJSIP_CACHES.auth, `${endpoint}-auth`],
      [PJSIP_CACHES.aor, endpoint],
    ]);
    await this.populate(PJSIP_CACHES.identify).catch((error) =>
      this.logger.warn(`trunk ${id}: identify cache not refreshed (${String(error)}); live within 60 s`),
    );
  }

  /** Reloads a full cache from the database. Throws when AMI fails. */
  async populate(cache: string): Promise<void> {
    await this.ami.action({ Action: 'SorceryMemoryCachePopulate', Cache: cache });
  }

  private async expire(what: string, objects: Array<[cache: string, object: string]>): Promise<void> {
    if (!this.ami.connected) {
      this.logger.warn(`${what}: AMI is down, Asterisk may serve the old object for up to 60 s`);
      return;
    }
    const results = await Promise.allSettled(
      objects.map(([cache, object]) =>
        this.ami.action({ Action: 'SorceryMemoryCacheExpireObject', Cache: cache, Object: object }),
      ),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // "not in the cache" is an error to AMI but means there is nothing to expire
    const real = failed.filter((r) => !/not found|could not be found|does not exist/i.test(String(r.reason)));
    if (real.length > 0) this.logger.warn(`${what}: cache not expired (${String(real[0].reason)}); live within 60 s`);
  }

  private async expireAll(): Promise<void> {
    for (const cache of [PJSIP_CACHES.endpoint, PJSIP_CACHES.auth, PJSIP_CACHES.aor])
      await this.ami.action({ Action: 'SorceryMemoryCacheExpire', Cache: cache });
    await this.populate(PJSIP_CACHES.identify);
  }
}
