import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import * as ari from 'ari-client';
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import WebSocket from 'ws';
import { httpExchange } from '@pbx/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { Backoff, ConnectionState } from '@pbx/common';
import { AriError } from './ari-error';

export const ARI_APP_NAME = Symbol('ARI_APP_NAME');

// swagger-client (inside ari-client) prints a deprecation notice on every connect through an
// implicit global `log` that also keeps a history; silence it.
(globalThis as { log?: unknown }).log = () => undefined;

const PING_EVERY_MS = 5_000;
const REST_TIMEOUT_MS = 10_000;

/** A raw ARI event as Asterisk sends it on the events websocket. */
export interface AriEvent {
  type: string;
  timestamp?: string;
  [key: string]: unknown;
}

/**
 * The one ARI session of a process: ari-client for the REST calls, and our own events
 * websocket for the Stasis app `appName`, reconnected with a short capped backoff (reset after
 * success) so a restarted Asterisk is back in use within a couple of seconds; ari-client's
 * own websocket retry waits up to 10 s between attempts. Every event is re-emitted by its type
 * ('StasisStart', 'ChannelDestroyed', ...) with the raw JSON, and 'connected' / 'down' report
 * the link to health, metrics and the call flow.
 */
@Injectable()
export class AriConnection extends EventEmitter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AriConnection.name);
  private readonly backoff = new Backoff(100, 2_000);
  private retryTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private socket?: WebSocket;
  private closed = false;
  client?: ari.Client;
  private restBase?: { root: string; authorization: string; agent: http.Agent };
  state: ConnectionState = 'connecting';
  /** when the link was last lost: the best end time for channels that vanished meanwhile */
  lastLostAt?: Date;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ARI_APP_NAME) readonly appName: string,
  ) {
    super();
    this.setMaxListeners(100);
  }

  onModuleInit(): void {
    void this.connect();
  }

  onModuleDestroy(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => undefined);
    this.socket?.terminate();
    this.restBase?.agent.destroy();
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /**
   * An ari-client call (off the hot path: listing channels and endpoints) under the REST
   * deadline, so a hung Asterisk cannot block reconcile or an admin request forever.
   */
  async withClient<T>(what: string, call: (client: ari.Client) => Promise<T>): Promise<T> {
    if (!this.client || this.state !== 'connected') throw new AriError(0, 'ARI is not connected');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AriError(0, `ARI ${what}: no answer within ${REST_TIMEOUT_MS} ms`)), REST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([call(this.client), deadline]);
    } catch (error) {
      if (error instanceof AriError) throw error;
      // ari-client rejects with the parsed body's message; the status is in the swagger error
      const status = Number((error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode);
      throw new AriError(Number.isInteger(status) ? status : 0, `ARI ${what}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One ARI REST request over a kept-alive connection (httpExchange), for the call-setup hot
   * path: ari-client's swagger layer costs more CPU than the request. Resolves with the JSON
   * answer (null when empty); a non-2xx answer, or none at all, throws an AriError classified
   * by status (404, 409 not in Stasis, 422, 0 = no answer).
   */
  async rest(method: 'GET' | 'POST' | 'DELETE', path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<unknown> {
    if (this.state !== 'connected') throw new AriError(0, 'ARI is not connected');
    this.restBase ??= this.restTarget();
    const target = new URL(`${this.restBase.root}${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(key, String(value));
    const answer = await httpExchange(target, {
      method,
      headers: { authorization: this.restBase.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      agent: this.restBase.agent,
      timeoutMs: REST_TIMEOUT_MS,
    }).catch((error: Error) => {
      throw new AriError(0, `ARI ${method} ${path}: ${error.message}`);
    });
    let json: unknown = null;
    try {
      json = answer.body ? JSON.parse(answer.body) : null;
    } catch {
      json = null;
    }
    if (answer.status >= 200 && answer.status < 300) return json;
    const message = (json as { message?: string } | null)?.message ?? answer.body.slice(0, 200);
    throw new AriError(answer.status, `ARI ${method} ${path}: ${answer.status} ${message}`);
  }

  private restTarget(): { root: string; authorization: string; agent: http.Agent } {
    const { url, username, password } = this.config.ari;
    const secure = new URL(url).protocol === 'https:';
    return {
      root: `${url.replace(/\/$/, '')}/ari`,
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      // idle connections are dropped before Asterisk's own keep-alive limit (15 s) closes them
      agent: new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 32, timeout: 5_000 }),
    };
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { url, username, password } = this.config.ari;
    try {
      // the REST description is loaded once; it stays valid across Asterisk restarts
      this.client ??= await withDeadline(ari.connect(url, username, password), REST_TIMEOUT_MS, 'ARI connect');
      this.openEvents();
    } catch (error) {
      this.lost(error instanceof Error ? error.message : String(error));
    }
  }

  private openEvents(): void {
    const { url, username, password } = this.config.ari;
    const base = new URL(url);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.pathname = `${base.pathname.replace(/\/$/, '')}/ari/events`;
    base.search = new URLSearchParams({ app: this.appName, api_key: `${username}:${password}` }).toString();
    const socket = new WebSocket(base.toString(), { handshakeTimeout: 3_000 });
    this.socket = socket;
    let alive = true;
    socket.on('open', () => {
      this.state = 'connected';
      this.backoff.reset();
      this.logger.log(`ARI events connected (app ${this.appName})`);
      clearInterval(this.pingTimer);
      // a dead peer that never closed the TCP connection is found within two pings
      this.pingTimer = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, PING_EVERY_MS);
      this.emit('connected');
    });
    socket.on('pong', () => (alive = true));
    socket.on('message', (data) => {
      let event: AriEvent;
      try {
        event = JSON.parse(data.toString());
      } catch {
        return;
      }
      this.emit(event.type, event);
    });
    socket.on('error', (error) => this.logger.debug(`ARI events: ${error.message}`));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      clearInterval(this.pingTimer);
      this.lost('events websocket closed');
    });
  }

  private lost(reason: string): void {
    if (this.closed) return;
    const wasConnected = this.state === 'connected';
    this.state = 'down';
    if (wasConnected) {
      this.lastLostAt = new Date();
      this.logger.warn(`ARI lost (${reason}); reconnecting`);
      this.emit('down');
    }
    const delay = this.backoff.next();
    this.logger.debug(`ARI connect failed (${reason}); retry in ${delay} ms`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
