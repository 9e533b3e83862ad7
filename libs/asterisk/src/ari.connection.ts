import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import * as ari from 'ari-client';
import { EventEmitter } from 'node:events';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { Backoff, ConnectionState } from './connection-state';

export const ARI_APP_NAME = Symbol('ARI_APP_NAME');

// swagger-client (inside ari-client) prints a deprecation notice on every connect through an
// implicit global `log` that also keeps a history; silence it.
(globalThis as { log?: unknown }).log = () => undefined;

/**
 * The one ARI session of a process: REST client plus the Stasis websocket for `appName`.
 * ari-client retries the websocket itself; when it gives up, or Asterisk is not there at
 * boot, this reconnects from scratch with backoff (reset after success).
 */
@Injectable()
export class AriConnection extends EventEmitter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AriConnection.name);
  private readonly backoff = new Backoff();
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  client?: ari.Client;
  state: ConnectionState = 'connecting';

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
    try {
      this.client?.stop();
    } catch {
      /* not started */
    }
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  requireClient(): ari.Client {
    if (!this.client || this.state !== 'connected') throw new Error('ARI is not connected');
    return this.client;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { url, username, password } = this.config.ari;
    try {
      const client = await ari.connect(url, username, password);
      client.on('WebSocketConnected', () => {
        this.state = 'connected';
        this.backoff.reset();
        this.logger.log(`ARI websocket connected (app ${this.appName})`);
        this.emit('connected');
      });
      client.on('WebSocketReconnecting', () => {
        if (this.state === 'connected') this.logger.warn('ARI websocket lost; reconnecting');
        this.state = 'connecting';
        this.emit('down');
      });
      client.on('WebSocketMaxRetries', () => {
        this.state = 'down';
        this.client = undefined;
        this.schedule('websocket retries exhausted');
      });
      this.client = client;
      await client.start(this.appName);
    } catch (error) {
      this.state = 'down';
      this.client = undefined;
      this.schedule(error instanceof Error ? error.message : String(error));
    }
  }

  private schedule(reason: string): void {
    if (this.closed) return;
    const delay = this.backoff.next();
    this.logger.debug(`ARI connect failed (${reason}); retry in ${delay} ms`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}
