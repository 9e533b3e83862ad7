import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { httpExchange } from '@pbx/common';
import { OutboundRequest } from './outbound-request';
import { AttemptResult } from './retry-policy';
import { AddressPolicy, checkTarget, Resolver, systemResolver } from './target-check';
import { forbiddenAddress } from './target-policy';
import { SignedHeaders } from './webhook-signing';

export const RESPONSE_EXCERPT_BYTES = 1024;
export const ERROR_TEXT_CHARS = 500;

/**
 * Kept-alive connections per receiver: a CRM gets several events per call.
 *
 * Pinning and the pool: the agent keys sockets by host:port, not by address, so a pooled socket
 * to crm.example.com may have been opened to the address the name had at an earlier send. That
 * address passed the rule when the socket was opened, and the rule depends on the address only,
 * so it still passes. Every send checks what the name resolves to NOW before any byte goes out:
 * a name rebound to 127.0.0.1 is refused even while an old socket to the public address is idle
 * in the pool. A socket the agent opens later for a queued request uses that request's own
 * (pinned) lookup. So a webhook socket is only ever connected to an address that passed the rule.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 5_000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64, timeout: 5_000 }),
};

export interface SendOptions {
  /** the whole attempt: resolving the name, connect, send, status and excerpt */
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: no SSRF check, Node resolves and connects as usual */
  allowPrivateNetworks: boolean;
  /** for tests; the system resolver otherwise */
  resolve?: Resolver;
  /** for tests; target-policy's forbiddenAddress otherwise */
  policy?: AddressPolicy;
}

/** Set by the sender alone, whatever a renderer put in its headers. */
const SENDER_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/**
 * One rendered request (method, URL, headers, body as the renderer made them). Never throws: a
 * network error, the timeout or a refused target is an attempt result like any status. Redirects
 * are not followed (a 3xx is a failure the admin sees, and a redirect could point anywhere), and
 * only the first KiB of the answer is read so a chatty receiver cannot hold the worker. A refused
 * target gets no request, so no response excerpt is ever stored for it. `request.awaitReply`
 * comes along for the routing step that will read replies; it changes nothing here yet.
 */
export async function sendWebhook(
  request: OutboundRequest,
  signed: SignedHeaders,
  options: SendOptions,
): Promise<AttemptResult> {
  let target: URL;
  try {
    target = new URL(request.url);
  } catch (error) {
    return failure(`invalid URL: ${(error as Error).message}`);
  }
  const startedAt = Date.now();
  let lookup: LookupFunction | undefined;
  let timeoutMs = options.timeoutMs;
  try {
    if (!options.allowPrivateNetworks) {
      const check = await withDeadline(
        checkTarget(target, options.resolve ?? systemResolver, options.policy ?? forbiddenAddress),
        options.timeoutMs,
      );
      if (check.kind === 'refused') return failure(check.error);
      lookup = check.lookup;
      // one deadline for the attempt: what resolving took is not given again to the request
      timeoutMs = Math.max(1, options.timeoutMs - (Date.now() - startedAt));
    }
    const answer = await httpExchange(target, {
      method: request.method,
      headers: { ...signed, ...formatHeaders(request.headers), 'user-agent': 'pbx-control-plane' },
      body: request.body ?? undefined,
      agent: agents[target.protocol as keyof typeof agents],
      lookup,
      timeoutMs,
      maxBodyBytes: RESPONSE_EXCERPT_BYTES,
    });
    // PostgreSQL text cannot hold NUL
    const excerpt = answer.body.replace(/\u0000/g, '');
    return { kind: 'response', status: answer.status, body: excerpt === '' ? null : excerpt };
  } catch (error) {
    return failure(String((error as Error)?.message ?? error));
  }
}

function formatHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !SENDER_HEADERS.has(name.toLowerCase())));
}

const failure = (error: string): AttemptResult => ({ kind: 'error', error: error.slice(0, ERROR_TEXT_CHARS) });

/** dns.lookup has no timeout of its own (it waits on the libuv thread pool). */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)),
  );
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
