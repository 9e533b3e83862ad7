import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface HttpExchange {
  status: number;
  /** the answer's body as text, cut at `maxBodyBytes` */
  body: string;
  /** the same, as bytes (a binary answer: a stored recording) */
  bytes?: Buffer;
}

export interface HttpExchangeOptions {
  method: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
  /** a keep-alive agent for the URL's protocol; the global agent otherwise */
  agent?: http.Agent;
  /** how the host name becomes an address (dns.lookup by default): webhooks pin it to the checked one */
  lookup?: LookupFunction;
  /** one deadline for the whole exchange: connect, send, status and body */
  timeoutMs: number;
  /** read at most this much of the answer, then drop the connection (a chatty server cannot hold us) */
  maxBodyBytes?: number;
  /** the answer is binary: `body` is left empty, `bytes` holds it */
  binary?: boolean;
}

/**
 * One HTTP request with node:http(s), for the hot paths that send one per call event (ARI
 * requests, webhook deliveries): fetch costs several times the CPU. Redirects are not followed.
 * Rejects on a network error or the deadline (`timed out after N ms`). A kept-alive connection
 * that the server closed just as it was reused (ECONNRESET on a reused socket) is not an
 * answer: the request goes once more on a fresh connection, as Node's documentation advises.
 */
export function httpExchange(url: URL, options: HttpExchangeOptions): Promise<HttpExchange> {
  return send(url, options).catch((error: NodeJS.ErrnoException & { reused?: boolean }) => {
    if (error.reused && error.code === 'ECONNRESET') return send(url, options);
    throw error;
  });
}

function send(url: URL, options: HttpExchangeOptions): Promise<HttpExchange> {
  const { method, body, agent, lookup, timeoutMs, maxBodyBytes = Infinity } = options;
  const headers: http.OutgoingHttpHeaders = { ...options.headers };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method,
      headers,
      agent,
      ...(lookup ? { lookup } : {}),
    });
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`timed out after ${timeoutMs} ms`)));
      request.destroy();
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle(() => reject(Object.assign(error, { reused: request.reusedSocket }))),
    );
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        settle(() => {
          const bytes = Buffer.concat(chunks).subarray(0, Math.min(size, maxBodyBytes));
          if (options.binary) resolve({ status: response.statusCode ?? 0, body: '', bytes });
          else resolve({ status: response.statusCode ?? 0, body: bytes.toString('utf8') });
        });
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxBodyBytes) {
          done();
          response.destroy(); // the rest is not read; the connection is not reused
        }
      });
      response.on('end', done);
      // a body cut short after the status arrived: what was read is the answer
      response.on('error', done);
      response.on('aborted', done);
    });
    request.end(body);
  });
}
