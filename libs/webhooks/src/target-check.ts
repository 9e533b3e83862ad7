import { promises as dns } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { FORBIDDEN_HINT, isHostName, targetHost } from './target-policy';

export type ResolvedAddress = Pick<LookupAddress, 'address' | 'family'>;
/** A host name to every address it has; injectable so tests can make `crm.test` mean anything. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;
/** Why an address is forbidden, or null (target-policy's forbiddenAddress; injectable for tests). */
export type AddressPolicy = (ip: string) => string | null;

/** The system resolver, as Node's http would have used it (/etc/hosts, then DNS). */
export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true });

export type TargetCheck =
  /** `lookup`: for a name, connect only to the addresses that were checked; undefined for a literal */
  | { kind: 'allowed'; lookup?: LookupFunction }
  /** says neither the address nor its kind: the attempt log must not map internal services */
  | { kind: 'refused'; error: string };

/**
 * The send-time half of the SSRF rule. A literal address is judged again (it may have been stored
 * before the rule, or while WEBHOOK_ALLOW_PRIVATE_NETWORKS was on). A name is resolved here, once,
 * and refused when ANY of its addresses is forbidden (a name with one public and one private
 * address would otherwise reach the private one some of the time). Rejects when resolution fails.
 */
export async function checkTarget(url: URL, resolve: Resolver, policy: AddressPolicy): Promise<TargetCheck> {
  const host = targetHost(url);
  if (!isHostName(host)) {
    return policy(host) === null
      ? { kind: 'allowed' }
      : { kind: 'refused', error: `target is a forbidden address (${FORBIDDEN_HINT})` };
  }
  const addresses = await resolve(host);
  if (addresses.length === 0) throw new Error(`cannot resolve ${host}: no address`);
  if (addresses.some((a) => policy(a.address) !== null)) {
    return { kind: 'refused', error: `target resolves to a forbidden address (${FORBIDDEN_HINT})` };
  }
  return { kind: 'allowed', lookup: pinnedLookup(addresses) };
}

/**
 * A `lookup` for http.request that answers with the addresses already checked instead of asking
 * DNS again: between the check and the connect, a name could be rebound to 127.0.0.1 (DNS
 * rebinding). Host header, TLS SNI and certificate check still use the name, since only the
 * lookup changes. All checked addresses are offered (first one first) so Node's family
 * auto-selection can still fall back between them; each one passed the rule.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    const family = options?.family === 'IPv4' ? 4 : options?.family === 'IPv6' ? 6 : Number(options?.family ?? 0);
    const usable = addresses
      .filter((a) => family === 0 || a.family === family)
      .map((a) => ({ address: a.address, family: a.family }));
    // dns.lookup never calls back synchronously, and net relies on that
    process.nextTick(() => {
      if (usable.length === 0) {
        const error: NodeJS.ErrnoException = Object.assign(
          new Error(`no IPv${family} address checked for ${hostname}`),
          { code: 'ENOTFOUND' },
        );
        return (callback as (e: NodeJS.ErrnoException) => void)(error);
      }
      if (options?.all) return (callback as (e: null, all: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}
