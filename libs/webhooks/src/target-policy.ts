import { isIP } from 'node:net';

/**
 * The SSRF rule for webhook targets: which addresses a webhook may not reach unless
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS=true. Pure functions; the sender and the service apply them.
 *
 * Refused: every IANA special-purpose range that is not globally reachable (loopback, private,
 * link-local with the cloud metadata address, CGNAT, benchmarking, documentation, reserved,
 * multicast, broadcast, ULA), and IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4),
 * judged by the address they carry. Documentation ranges are refused too: no real CRM lives
 * there, so a target in them is a mistake or a probe, and the rule stays "globally reachable only".
 */

interface Range4 {
  base: number;
  bits: number;
  why: string;
}

const v4 = (cidr: string, why: string): Range4 => {
  const [address, bits] = cidr.split('/');
  return { base: ipv4ToNumber(address)!, bits: Number(bits), why };
};

const IPV4_RANGES: Range4[] = [
  v4('0.0.0.0/8', 'unspecified ("this network")'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'carrier-grade NAT'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.169.254/32', 'cloud metadata'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', '6to4 relay anycast'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('240.0.0.0/4', 'reserved'),
];

/** 0x7f000001 for '127.0.0.1'; null unless four plain decimal octets (URL has already normalised other spellings). */
function ipv4ToNumber(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function forbiddenIpv4(address: string): string | null {
  const n = ipv4ToNumber(address);
  if (n === null) return 'not an IPv4 address';
  for (const range of IPV4_RANGES) {
    const size = 2 ** (32 - range.bits);
    if (Math.floor(n / size) === Math.floor(range.base / size)) return range.why;
  }
  return null;
}

/** Eight 16-bit groups, or null when not an IPv6 address. Takes a zone (`%eth0`) and a dotted IPv4 tail. */
function ipv6Groups(address: string): number[] | null {
  let text = address.replace(/%.*$/, '');
  if (isIP(text) !== 6) return null;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = ipv4ToNumber(tail[1]);
    if (n === null) return null;
    text = `${text.slice(0, -tail[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...(text.includes('::') ? Array<string>(missing).fill('0') : []), ...right].map((g) =>
    parseInt(g, 16),
  );
  return groups.length === 8 ? groups : null;
}

const embeddedIpv4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

function forbiddenIpv6(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return 'not an IPv6 address';
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d reaches the IPv4 address itself on a dual-stack socket
  if (zeros(0, 5) && g[5] === 0xffff) return embedded('IPv4-mapped', embeddedIpv4(g[6], g[7]));
  if (zeros(0, 6)) return 'IPv4-compatible (deprecated)';
  // NAT64 translates to the IPv4 address it carries
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embedded('NAT64', embeddedIpv4(g[6], g[7]));
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'local-use NAT64';
  if (g[0] === 0x2002) return embedded('6to4', embeddedIpv4(g[1], g[2]));
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && zeros(2, 7) && g[7] === 0x254) return 'cloud metadata';
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique local (ULA)';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xffc0) === 0xfec0) return 'site-local (deprecated)';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x0100 && zeros(1, 4)) return 'discard-only';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'documentation';
  return null;
}

function embedded(form: string, ipv4: string): string | null {
  const why = forbiddenIpv4(ipv4);
  return why === null ? null : `${form} ${why}`;
}

/**
 * Why `ip` may not be a webhook target ('loopback', 'private', …), or null when it is globally
 * reachable. `ip` is an address as URL or DNS gives it: IPv4 dotted decimal or IPv6 without brackets.
 * Anything else is refused: the caller meant to pass an address.
 */
export function forbiddenAddress(ip: string): string | null {
  switch (isIP(ip.replace(/%.*$/, ''))) {
    case 4:
      return forbiddenIpv4(ip);
    case 6:
      return forbiddenIpv6(ip);
    default:
      return 'not an IP address';
  }
}

/** The URL's host as an address or a name: no IPv6 brackets, no trailing root dot, lower case. */
export function targetHost(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** A host that is a name, not an IP literal (and so is checked at send time). */
export const isHostName = (host: string): boolean => isIP(host) === 0;

/**
 * The creation-time half of the rule: why this URL may not be stored when private networks are
 * not allowed, or null. WHATWG URL has already turned `2130706433`, `0x7f000001`, `0177.0.0.1` into
 * 127.0.0.1 and `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`, so its hostname is the only spelling
 * to judge. A name passes here (what it resolves to is checked at send time) except `localhost`
 * and `*.localhost`, which always mean this machine (RFC 6761).
 */
export function literalTargetProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null; // the syntax rule (webhookUrlProblem) reports it
  }
  const host = targetHost(url);
  if (host === 'localhost' || host.endsWith('.localhost')) return `url must not target localhost (${FORBIDDEN_HINT})`;
  if (isHostName(host)) return null;
  const why = forbiddenAddress(host);
  return why === null ? null : `url must not target a ${why} address (${FORBIDDEN_HINT})`;
}

export const FORBIDDEN_HINT = 'private networks are not allowed unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true';
