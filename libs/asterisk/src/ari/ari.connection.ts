import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import * as ari from 'ari-client';
import * as http from 'node:http';
import * as https from 'node:https';
import WebSocket from 'ws';
import { httpExchange, LinkSession, ReconnectingLink, withDeadline } from '@pbx/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { AriError } from './ari-error';

export const ARI_APP_NAME = Symbol('ARI_APP_NAME');

// swagger-client (inside ari-client) prints a deprecation notice on every connect through an
// implicit global `log` that also keeps a history; silence it.
(globalThis as { log?: unknown }).log = () => undefined;

/** a websocket ping this often; no pong by the next one drops the link (found within 3-6 s) */
const PING_EVERY_MS = 3_000;
const REST_TIMEOUT_MS = 10_000;
/** ari-client's description load and the events websocket's handshake, or give up and retry */
const OPEN_TIMEOUT_MS = 10_000;

/** A raw ARI event as Asterisk sends it on the events websocket. */
export interface AriEvent {
  type: string;
  timestamp?: string;
  [key: string]: unknown;
}

/**
 * The one ARI session of a process: ari-client for off-hot-path REST calls, our own REST
 * (`rest`, keep-alive) for the hot path, and our own events websocket for the Stasis app
 * `appName` as a ReconnectingLink (ari-client's own retry waits up to 10 s between attempts):
 * a restarted Asterisk is back in use within a couple of seconds, a silent one is found by the
 * websocket ping. Every event is re-emitted by its type ('StasisStart', 'ChannelDestroyed',
 * ...) with the raw JSON; 'connected' / 'down' report the link.
 */
@Injectable()
export class AriConnection extends ReconnectingLink implements OnModuleInit, OnModuleDestroy {
  client?: ari.Client;
  private restBase?: { root: string; authorization: string; agent: http.Agent };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ARI_APP_NAME) readonly appName: string,
  ) {
    super('ARI', OPEN_TIMEOUT_MS);
  }

  onModuleInit(): void {
    this.start();
  }

  onModuleDestroy(): void {
    this.stop();
    this.restBase?.agent.destroy();
  }

  /**
   * An ari-client call (off the hot path: listing channels and endpoints) under the REST
   * deadline, so a hung Asterisk cannot block reconcile or an admin request forever.
   */
  async withClient<T>(what: string, call: (client: ari.Client) => Promise<T>): Promise<T> {
    if (!this.client || this.state !== 'connected') throw new AriError(0, 'ARI is not connected');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AriError(0, `ARI ${what}: no answer within ${REST_TIMEOUT_MS} ms`)),
        REST_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([call(this.client), deadline]);
    } catch (error) {
      if (error instanceof AriError) throw error;
      // ari-client rejects with the parsed body's message; the status is in the swagger error
      const status = Number(
        (error as { status?: unknown; statusCode?: unknown })?.status ??
          (error as { statusCode?: unknown })?.statusCode,
      );
      throw new AriError(
        Number.isInteger(status) ? status : 0,
        `ARI ${what}: ${error instanceof Error ? error.message : String(error)}`,
      );
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
  async rest(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Record<string, string | number | undefined> = {},
    body?: unknown,
  ): Promise<unknown> {
    if (this.state !== 'connected') throw new AriError(0, 'ARI is not connected');
    return this.request(method, path, query, body);
  }

  /** A GET whose answer is binary (a stored recording's file), under a longer deadline. */
  async restBytes(path: string, timeoutMs = 60_000): Promise<Buffer> {
    if (this.state !== 'connected') throw new AriError(0, 'ARI is not connected');
    this.restBase ??= this.restTarget();
    const answer = await httpExchange(new URL(`${this.restBase.root}${path}`), {
      method: 'GET',
      headers: { authorization: this.restBase.authorization },
      agent: this.restBase.agent,
      timeoutMs,
      binary: true,
    }).catch((error: Error) => {
      throw new AriError(0, `ARI GET ${path}: ${error.message}`);
    });
    const bytes = answer.bytes ?? Buffer.alloc(0);
    if (answer.status >= 200 && answer.status < 300) return bytes;
    throw new AriError(answer.status, `ARI GET ${path}: ${answer.status} ${bytes.subarray(0, 200).toString('utf8')}`);
  }

  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Record<string, string | number | undefined> = {},
    body?: unknown,
  ): Promise<unknown> {
    this.restBase ??= this.restTarget();
    const target = new URL(`${this.restBase.root}${path}`);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) target.searchParams.set(key, String(value));
    const answer = await httpExchange(target, {
      method,
      headers: {
        authorization: this.restBase.authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      agent: this.restBase.agent,
      timeoutMs: REST_TIMEOUT_MS,
    }).catch((error: Error) => {
      throw new AriError(0, `ARI ${method} ${path}: ${error.message}`);
    });
    let json: unknown;
    try {
      json = answer.body ? (JSON.parse(answer.body) as unknown) : null;
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

  protected async open(signal: AbortSignal): Promise<LinkSession> {
    const { url, username, password } = this.config.ari;
    // the REST description is loaded once; it stays valid across Asterisk restarts
    this.client ??= await withDeadline(ari.connect(url, username, password), REST_TIMEOUT_MS, 'ARI connect');
    const base = new URL(url);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.pathname = `${base.pathname.replace(/\/$/, '')}/ari/events`;
    base.search = new URLSearchParams({ app: this.appName, api_key: `${username}:${password}` }).toString();
    const socket = new WebSocket(base.toString(), { handshakeTimeout: 3_000 });
    const close = () => {
      socket.removeAllListeners('message');
      socket.on('error', () => undefined);
      socket.terminate();
    };
    signal.addEventListener('abort', close);
    // the URL carries the credentials: errors are logged by message only
    socket.on('error', (error) => this.logger.debug(`ARI events: ${error.message}`));
    const closed = new Promise<string>((resolve) => socket.once('close', () => resolve('events websocket closed')));
    await Promise.race([
      new Promise<void>((resolve) => socket.once('open', () => resolve())),
      closed.then((reason) => Promise.reject(new Error(reason))),
    ]);
    await this.requireAppRegistered();
    let alive = true;
    // a dead peer that never closed the TCP connection is found within two pings; and the app
    // must still be registered: after a freeze, Asterisk handles the old socket's close late
    // and destroys the app the new socket had taken over, leaving this socket open but deaf
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
      this.requireAppRegistered().catch((error) => {
        if (!AriError.is(error, 'not_found')) return; // no answer: the ping decides
        this.logger.warn(`Stasis app ${this.appName} is no longer registered; reconnecting`);
        socket.terminate();
      });
    }, PING_EVERY_MS);
    socket.on('pong', () => (alive = true));
    socket.on('message', (data) => {
      let event: AriEvent;
      try {
        event = JSON.parse((data as Buffer).toString()) as AriEvent;
      } catch {
        return;
      }
      this.emit(event.type, event);
    });
    return {
      closed,
      close: () => {
        clearInterval(pinger);
        close();
      },
    };
  }

  /** Throws AriError 404 when Asterisk does not know our Stasis app (any more). */
  private async requireAppRegistered(): Promise<void> {
    await this.request('GET', `/applications/${encodeURIComponent(this.appName)}`);
  }
}
