import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Backoff, ConnectionState } from './backoff';

/** One open connection of a link: `closed` settles (with the reason) when it is gone. */
export interface LinkSession {
  closed: Promise<string>;
  /** tears the connection down (idempotent) */
  close(): void;
}

/**
 * A connection that must always be there (AMI, the ARI events socket, PostgreSQL LISTEN):
 * opened under a deadline (connect, log in and subscribe, or give up), reconnected with
 * capped backoff with jitter (reset after a success), and reporting its state: 'connected'
 * after every (re)connection (so users catch up with what they missed) and 'down' when lost.
 */
export abstract class ReconnectingLink extends EventEmitter {
  state: ConnectionState = 'connecting';
  /** when the link was last lost */
  lastLostAt?: Date;
  protected readonly logger: Logger;
  private session?: LinkSession;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    protected readonly linkName: string,
    private readonly openTimeoutMs: number,
    private readonly backoff = new Backoff(100, 2_000),
  ) {
    super();
    this.setMaxListeners(100);
    this.logger = new Logger(linkName);
  }

  /** Connects, logs in and subscribes; resolves once usable. `signal` aborts a late attempt: release what it holds. */
  protected abstract open(signal: AbortSignal): Promise<LinkSession>;

  get connected(): boolean {
    return this.state === 'connected';
  }

  start(): void {
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.session?.close();
  }

  /** Drops the current connection (e.g. a keep-alive went unanswered); it is reopened. */
  protected drop(): void {
    this.session?.close();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let session: LinkSession;
    try {
      session = await Promise.race([
        this.open(abort.signal),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.openTimeoutMs} ms`)), this.openTimeoutMs);
        }),
      ]);
    } catch (error) {
      abort.abort();
      return this.retry(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
    if (this.stopped) return session.close();
    this.session = session;
    this.state = 'connected';
    this.backoff.reset();
    this.logger.log(`${this.linkName} connected`);
    this.emit('connected');
    const reason = await session.closed;
    session.close();
    if (this.session === session) this.session = undefined;
    if (this.stopped) return;
    this.lastLostAt = new Date();
    this.logger.warn(`${this.linkName} lost (${reason}); reconnecting`);
    this.emit('down');
    this.retry(reason);
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    this.state = 'down';
    const delay = this.backoff.next();
    this.logger.debug(`${this.linkName} connect failed (${reason}); retry in ${delay} ms`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.attempt(), delay);
  }
}

/** Rejects after `ms` unless `promise` settled first. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
