import { BlockList, isIP } from 'node:net';

/**
 * Failed SIP authentications per source address in a sliding window: `record` answers true
 * once an address reaches `limit` failures within `windowMs` (and forgets them, so one ban is
 * asked for once). Memory is bounded: at most `maxAddresses` are tracked, the oldest dropped.
 */
export class FailureCounter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxAddresses = 100_000,
  ) {}

  record(address: string, now = Date.now()): number | null {
    const recent = (this.failures.get(address) ?? []).filter((at) => now - at < this.windowMs);
    recent.push(now);
    this.failures.delete(address); // re-inserted last: Map order is recency order
    if (recent.length >= this.limit) return recent.length;
    if (this.failures.size >= this.maxAddresses) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(address, recent);
    return null;
  }
}

/** The address of an AMI security event's RemoteAddress (`IPV4/UDP/203.0.113.9/5060`). */
export function remoteAddressOf(field: string | undefined): string | null {
  const parts = (field ?? '').split('/');
  if (parts.length < 4) return null;
  const address = parts.slice(2, -1).join('/');
  return isIP(address) ? address : null;
}

/** A set of CIDRs (SIP_BAN_EXEMPT), IPv4 and IPv6. */
export function cidrSet(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

export function inSet(set: BlockList, address: string): boolean {
  return set.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}
