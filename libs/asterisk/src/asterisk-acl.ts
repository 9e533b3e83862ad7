import { Injectable } from '@nestjs/common';
import { AmiConnection } from './ami.connection';

/** The astdb family res_sorcery_astdb reads for sorcery type `acl` (sorcery.conf: `acl = astdb,pbx_bans`). */
const FAMILY = 'pbx_bans/acl';

/** The astdb key of one banned address (its sorcery object id). */
export function aclKey(address: string): string {
  return `ban-${address}`;
}

/** What to put into and delete from astdb so that it holds exactly `wanted` (addresses). */
export function aclDiff(held: string[], wanted: string[]): { put: string[]; del: string[] } {
  const heldSet = new Set(held);
  const wantedSet = new Set(wanted);
  return {
    put: wanted.filter((address) => !heldSet.has(address)),
    del: held.filter((address) => !wantedSet.has(address)),
  };
}

/**
 * Asterisk's SIP ACL (res_pjsip_acl): one `deny` object per banned address, kept in Asterisk's
 * own astdb and written over AMI (DBPut, DBDel, DBGetTree; class `system`).
 *
 * Why not the realtime table behind a full memory cache: res_pjsip_acl's fields have no
 * to-string handler, so sorcery cannot make an object set of an ACL and
 * res_sorcery_memory_cache (full_backend_cache) refuses every one ("The backend contains 1
 * objects while only 0 could be added"); Asterisk then queries the table on every SIP packet
 * and lets packets through when that query fails. astdb is local to Asterisk, survives its
 * restarts and needs no reload: a change applies to the next packet.
 */
@Injectable()
export class AsteriskAcl {
  constructor(private readonly ami: AmiConnection) {}

  async deny(address: string): Promise<void> {
    await this.ami.action({
      Action: 'DBPut',
      Family: FAMILY,
      Key: aclKey(address),
      Val: JSON.stringify({ deny: address }),
    });
  }

  /** Removes one address's rule; an address Asterisk does not hold is not an error. */
  async allow(address: string): Promise<void> {
    await this.ami.action({ Action: 'DBDel', Family: FAMILY, Key: aclKey(address) }).catch((error: unknown) => {
      if (!/could not be deleted|not found/i.test(String(error))) throw error;
    });
  }

  /** Makes Asterisk hold exactly `addresses`. Throws when AMI fails (nothing is lost: call again). */
  async sync(addresses: string[]): Promise<void> {
    const entries = await this.ami.list({ Action: 'DBGetTree', Family: FAMILY }, 'DBGetTreeComplete');
    const prefix = `/${FAMILY}/${aclKey('')}`;
    const held = entries
      .map((entry) => String(entry.Key ?? ''))
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
    const { put, del } = aclDiff(held, addresses);
    for (const address of put) await this.deny(address);
    for (const address of del) await this.allow(address);
  }
}
