import * as http from 'node:http';
import { SipPeer, waitUntil } from './sip-peer';

export interface HttpResult {
  status: number;
  body: any;
}

/**
 * The API as a client sees it over HTTP, with a bearer token (the admin token unless told
 * otherwise): what the fault suite and the benchmarks use against the API running as a process.
 * By default requests go through fetch. `keepAlive` sends them one at a time on one kept-alive
 * node:http socket instead, for latency measurements: they then time the API rather than
 * fetch's own work or a new connection.
 */
export class ApiClient {
  private readonly agent?: http.Agent;

  constructor(
    readonly baseUrl: string,
    readonly adminToken: string,
    options: { keepAlive?: boolean } = {},
  ) {
    if (options.keepAlive) this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** One request; resolves once the whole body is read and parsed (null when empty). */
  request(method: string, path: string, body?: unknown, token = this.adminToken): Promise<HttpResult> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
    };
    return this.agent
      ? this.viaAgent(this.agent, method, path, headers, payload)
      : this.viaFetch(method, path, headers, payload);
  }

  /** A new token (`calls` unless told otherwise): each has its own rate-limit budgets. */
  async newToken(name: string, scopes: string[] = ['calls']): Promise<{ id: number; token: string }> {
    const created = await this.request('POST', '/api/pbx/tokens', { name, scopes });
    if (created.status !== 201)
      throw new Error(`POST /api/pbx/tokens answered ${created.status}: ${JSON.stringify(created.body)}`);
    return { id: created.body.data.id, token: created.body.data.token };
  }

  /** Closes the kept-alive socket, if any. */
  close(): void {
    this.agent?.destroy();
  }

  private async viaFetch(
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<HttpResult> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  private viaAgent(
    agent: http.Agent,
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<HttpResult> {
    const url = new URL(this.baseUrl);
    if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

export interface Phone {
  number: string;
  password: string;
}

/**
 * Agents: an extension per phone, each registered from a desk phone of the SIP peer, and seen as
 * registered by the API (which asks Asterisk) before this resolves.
 */
export async function addAgents(
  client: ApiClient,
  peer: SipPeer,
  phones: Phone[],
  registrationTimeoutMs = 20_000,
): Promise<void> {
  for (const phone of phones) {
    const created = await client.request('POST', '/api/pbx/extensions', phone);
    if (created.status !== 201)
      throw new Error(
        `POST /api/pbx/extensions ${phone.number} answered ${created.status}: ${JSON.stringify(created.body)}`,
      );
  }
  await peer.addPhones(...phones);
  for (const phone of phones) await peer.waitRegistration(phone.number, 'Registered', registrationTimeoutMs);
  const numbers = new Set(phones.map((p) => p.number));
  await waitUntil(
    async () =>
      (await client.request('GET', '/api/pbx/extensions')).body.data.filter(
        (e: { number: string; registered: boolean }) => numbers.has(e.number) && e.registered,
      ).length === numbers.size,
    10_000,
    `${numbers.size} agent(s) registered`,
  );
}
