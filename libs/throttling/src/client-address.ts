import type { Request } from 'express';

/**
 * The client's address for per-address limits. Express derives `request.ip` from the socket,
 * or from X-Forwarded-For only when the hop is one of TRUST_PROXY's CIDRs (`trust proxy`,
 * set in the API's bootstrap), so a client cannot pick its own address by sending the header.
 */
export function clientAddress(request: Request): string {
  const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
  // one budget for an IPv4 client whether it arrived on an IPv4 or a dual-stack socket
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
