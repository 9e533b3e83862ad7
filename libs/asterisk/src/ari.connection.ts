import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import * as ari from 'ari-client';
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import WebSocket from 'ws';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { Backoff, ConnectionState } from './connection-state';

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
  private authorization?: string;
  // idle connections are dropped before Asterisk's own keep-alive limit (15 s) closes them
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32, timeout: 5_000 });
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
    this.agent.destroy();
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  requireClient(): ari.Client {
    if (!this.client || this.state !== 'connected') throw new Error('ARI is not connected');
    return this.client;
  }

  /**
   * One ARI REST request over a keep-alive connection (node:http), for the call-setup hot path:
   * ari-client's swagger layer, and even fetch, cost more CPU than the request. Resolves with the
   * JSON answer (null when empty); a non-2xx answer throws an error carrying Asterisk's message
   * ("Channel not in Stasis application", ...) and its status.
   */
  rest(method: 'GET' | 'POST' | 'DELETE', path: string, query: Record<string, string | number | undefined> = {}, body?: unknown, retried = false): Promise<unknown> {
    if (this.state !== 'connected') return Promise.reject(new Error('ARI is not connected'));
    const { url, username, password } = this.config.ari;
    const base = new URL(url);
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    this.authorization ??= `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const headers: http.OutgoingHttpHeaders = { Authorization: this.authorization };
    if (payload !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    const transport = base.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          method,
          path: `${base.pathname.replace(/\/$/, '')}/ari${path}${search.size ? `?${search}` : ''}`,
          headers,
          agent: base.protocol === 'https:' ? undefined : this.agent,
          timeout: REST_TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = null;
            }
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(json);
            const message = (json as { message?: string } | null)?.message ?? (text.slice(0, 200) || response.statusMessage);
            reject(Object.assign(new Error(`ARI ${method} ${path}: ${status} ${message}`), { status }));
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`ARI ${method} ${path}: no answer within ${REST_TIMEOUT_MS} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        // Asterisk closed an idle kept-alive connection just as we reused it: the request never
        // reached it, so send it once more on a fresh connection (Node's documented pattern)
        if (!retried && request.reusedSocket && error.code === 'ECONNRESET') {
          resolve(this.rest(method, path, query, body, true));
          return;
        }
        reject(error);
      });
      request.end(payload);
    });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { url, username, password } = this.config.ari;
    try {
      // the REST description is loaded once; it stays valid across Asterisk restarts
      this.client ??= await ari.connect(url, username, password);
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
