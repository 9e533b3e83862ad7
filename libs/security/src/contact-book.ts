/** One registered contact of an AOR, as PJSIPShowEndpoint's ContactStatusDetail tells it. */
export interface SeenContact {
  /** the source IP the phone registered from (ViaAddress without its port) */
  ip: string;
  /** Reachable, Unreachable, NonQualified, Unknown, ... */
  status: string;
  /** when the registration expires, epoch seconds (RegExpire) */
  expiresAt: number;
}

export interface ContactMove {
  aor: string;
  from: string;
  to: string;
}

/** `203.0.113.9:5060` -> `203.0.113.9`; `[2001:db8::1]:5060` -> `2001:db8::1` */
export function ipOf(viaAddress: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(viaAddress);
  if (bracketed) return bracketed[1];
  return viaAddress.split(':').length === 2 ? viaAddress.split(':')[0] : viaAddress;
}

/**
 * The contacts last seen per AOR, to tell a move: the AOR now has a contact from an IP it did
 * not have, and a contact it had from another IP is gone although it was neither known
 * unreachable nor expired (Asterisk replaced it: max_contacts 1, remove_existing). A phone
 * that unregistered first, whose old contact expired or was unreachable, or that only changed
 * port behind its NAT, did not move. Bounded: the oldest AOR is forgotten past `maxAors`.
 */
export class ContactBook {
  private readonly aors = new Map<string, SeenContact[]>();

  constructor(private readonly maxAors = 100_000) {}

  /** Records what an AOR holds now; answers the moves since it was last seen. */
  observe(aor: string, now: SeenContact[], nowSeconds = Date.now() / 1000): ContactMove[] {
    const before = this.aors.get(aor) ?? [];
    this.aors.delete(aor); // re-inserted last: Map order is recency order
    this.aors.set(aor, now);
    if (this.aors.size > this.maxAors) this.aors.delete(this.aors.keys().next().value as string);

    const nowIps = new Set(now.map((c) => c.ip));
    const beforeIps = new Set(before.map((c) => c.ip));
    const arrived = now.filter((c) => !beforeIps.has(c.ip));
    const replaced = before.filter((c) => !nowIps.has(c.ip) && c.status !== 'Unreachable' && c.expiresAt > nowSeconds);
    if (arrived.length === 0) return [];
    return replaced.map((old) => ({ aor, from: old.ip, to: arrived[0].ip }));
  }

  /** The IPs an AOR was last seen registered from (empty when never seen). */
  ips(aor: string): string[] {
    return (this.aors.get(aor) ?? []).map((c) => c.ip);
  }
}
