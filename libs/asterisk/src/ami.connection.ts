import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import AmiClient, { AmiMessage } from 'asterisk-ami-client';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { Backoff, ConnectionState } from '@pbx/common';

const ACTION_TIMEOUT_MS = 5_000;
/** Injection token: the AMI EventMask of this process ('off', 'system', 'on', ...). */
export const AMI_EVENT_MASK = Symbol('AMI_EVENT_MASK');

/**
 * The one AMI session of a process: reconnects with backoff (reset after success), reports its
 * state to health and metrics, and matches replies and list events to actions by ActionID.
 * Re-emits every AMI event as 'event'; which events Asterisk sends is set by AMI_EVENT_MASK
 * (list actions' replies come whatever the mask).
 */
@Injectable()
export class AmiConnection extends EventEmitter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AmiConnection.name);
  private readonly backoff = new Backoff(100, 2_000);
  private client?: AmiClient;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;
  state: ConnectionState = 'connecting';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AMI_EVENT_MASK) private readonly eventMask: string,
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
    this.client?.removeAllListeners();
    this.client?.disconnect();
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  async action(message: AmiMessage): Promise<AmiMessage> {
    const client = this.requireClient();
    const reply = await withTimeout(client.action({ ...message, ActionID: randomUUID() }, true), `AMI ${message.Action}`);
    if (reply.Response === 'Error') throw new Error(`AMI ${message.Action} failed: ${reply.Message ?? 'error'}`);
    return reply;
  }

  /** Runs a list action (EventList: start) and collects its events until `completeEvent`. */
  async list(message: AmiMessage, completeEvent: string): Promise<AmiMessage[]> {
    const client = this.requireClient();
    const actionId = randomUUID();
    const events: AmiMessage[] = [];
    let onEvent: (event: AmiMessage) => void = () => undefined;
    const done = new Promise<AmiMessage[]>((resolve) => {
      onEvent = (event: AmiMessage) => {
        if (event.ActionID !== actionId) return;
        if (event.Event === completeEvent) {
          client.off('event', onEvent);
          resolve(events);
        } else {
          events.push(event);
        }
      };
      client.on('event', onEvent);
    });
    try {
      const reply = await withTimeout(client.action({ ...message, ActionID: actionId }, true), `AMI ${message.Action}`);
      // "no objects found" style errors are an empty list, not a failure
      if (reply.Response === 'Error') return [];
      return await withTimeout(done, `AMI ${message.Action} list`);
    } finally {
      client.off('event', onEvent); // also when the action failed or timed out
    }
  }

  private requireClient(): AmiClient {
    if (!this.client || this.state !== 'connected') throw new Error('AMI is not connected');
    return this.client;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new AmiClient({ reconnect: false, keepAlive: true, keepAliveDelay: 5_000, emitResponsesById: true });
    client.on('internalError', (error: unknown) => this.logger.warn(`AMI internal error: ${String(error)}`));
    try {
      const { host, port, username, password } = this.config.ami;
      await client.connect(username, password, { host, port });
      const masked = await withTimeout(client.action({ Action: 'Events', EventMask: this.eventMask, ActionID: randomUUID() }, true), 'AMI Events');
      if (masked.Response === 'Error') throw new Error(`AMI Events ${this.eventMask} refused: ${masked.Message ?? 'error'}`);
      this.client = client;
      this.state = 'connected';
      this.backoff.reset();
      this.logger.log(`AMI connected to ${host}:${port}`);
      client.on('event', (event: AmiMessage) => this.emit('event', event));
      client.once('disconnect', () => this.lost(client, 'disconnected'));
      this.emit('connected');
    } catch (error) {
      client.removeAllListeners();
      try {
        client.disconnect(); // a login that went through but a refused Events action
      } catch {
        /* not connected */
      }
      this.lost(client, error instanceof Error ? error.message : String(error));
    }
  }

  private lost(client: AmiClient, reason: string): void {
    if (this.closed) return;
    if (this.client === client) this.client = undefined;
    const wasConnected = this.state === 'connected';
    this.state = 'down';
    const delay = this.backoff.next();
    if (wasConnected) this.logger.warn(`AMI connection lost (${reason}); reconnecting`);
    else this.logger.debug(`AMI connect failed (${reason}); retry in ${delay} ms`);
    this.emit('down');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out`)), ACTION_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}
