import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * A trunk's `inbound_addresses`: where its calls come from. Asterisk identifies a carrier by
 * source address alone (no password), so each entry is an IPv4 address or CIDR block, and a
 * block wider than /8 is refused: it would hand a large part of the internet the carrier's
 * context without authentication.
 */
export const MAX_INBOUND_ADDRESSES = 32;
export const MIN_INBOUND_PREFIX = 8;
export const INBOUND_ADDRESS_RULE = `IPv4 addresses or CIDR blocks of /${MIN_INBOUND_PREFIX} to /32 (a.b.c.d or a.b.c.d/n)`;

/** `a.b.c.d` or `a.b.c.d/n` as the block it names (`10.1.2.3/8` → `10.0.0.0/8`), or null when invalid. */
export function canonicalInboundAddress(entry: string): string | null {
  const match = /^([0-9.]{7,15})(?:\/([0-9]{1,2}))?$/.exec(entry);
  if (!match || !isIPv4(match[1])) return null;
  const prefix = match[2] === undefined ? 32 : Number(match[2]);
  if (prefix < MIN_INBOUND_PREFIX || prefix > 32) return null;
  const value = match[1].split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (value & mask) >>> 0;
  if (network === 0) return null; // 0.0.0.0/n is "this network", never a source
  const octets = [24, 16, 8, 0].map((shift) => (network >>> shift) & 255);
  return `${octets.join('.')}/${prefix}`;
}

/** The canonical list: each entry as its block, duplicates dropped, order kept. */
export function canonicalInboundAddresses(entries: readonly string[]): string[] {
  return [...new Set(entries.map((entry) => canonicalInboundAddress(entry) ?? entry))];
}

/** class-validator rule for one entry (use with `{ each: true }`). */
export function IsInboundAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInboundAddress',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && canonicalInboundAddress(value) !== null,
        defaultMessage: () => `$property must be ${INBOUND_ADDRESS_RULE}`,
      },
    },
    options,
  );
}

const RESOLVE_TIMEOUT_MS = 2_000;

/**
 * The IPv4 addresses `host` names (itself when it is one), each as a /32: the default
 * `inbound_addresses` of a trunk. Empty when the name does not resolve within 2 s.
 */
export async function addressesOfHost(host: string): Promise<string[]> {
  if (isIPv4(host)) return [`${host}/32`];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`resolving ${host} timed out`)), RESOLVE_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([lookup(host, { all: true, family: 4 }), deadline]);
    return [...new Set(found.map((entry) => `${entry.address}/32`))];
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}
