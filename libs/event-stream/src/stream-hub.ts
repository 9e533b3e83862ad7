import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EVENTS_CHANNEL } from '@pbx/call-events';
import { EventLog, isAfter, StreamCursor } from '@pbx/calls';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { PgListenLink } from '@pbx/database';
import { MetricsService } from '@pbx/metrics';
import { CLOSE_GOING_AWAY, StreamConnection } from './stream-connection';

/** events read per query, live or catching up */
const PAGE = 500;
/** a read even without NOTIFY: an event held back behind a transaction in flight shows once that ends, which notifies nobody */
const POLL_MS = 500;
/** how soon to read again when events wait behind a transaction in flight */
const HELD_BACK_RETRY_MS = 20;

/**
 * The API process's side of the stream: one reader of the stored events for every client. It
 * wakes on NOTIFY pbx_events (every transaction that stores events raises it at commit), and
 * every POLL_MS, reads the final events after its cursor (EventLog: never past a transaction
 * still in flight) and hands each to every live client. A client resuming from `since`
 * catches up with its own paged reads up to the hub's cursor, then joins the live clients at
 * exactly that point: no event twice, none skipped.
 */
@Injectable()
export class StreamHub implements OnModuleDestroy {
  private readonly logger = new Logger('stream');
  private readonly connections = new Set<StreamConnection>();
  private readonly perToken = new Map<number, number>();
  private cursor: StreamCursor | undefined;
  private ready: Promise<void> | undefined;
  private reading = false;
  private readAgain = false;
  private link: PgListenLink | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly log: EventLog,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What the API holds for its clients: the bytes their sockets have not written out yet. */
  bufferedBytes(): number {
    let bytes = 0;
    for (const connection of this.connections) bytes += connection.ws.bufferedAmount;
    return bytes;
  }

  /** Starts reading at the current head (at the first client: an API nobody streams from reads nothing). */
  start(): Promise<void> {
    this.ready ??= (async () => {
      this.metrics.measureStreamBufferWith(() => this.bufferedBytes());
      this.cursor = await this.log.head();
      this.link = new PgListenLink(this.config.databaseUrl, EVENTS_CHANNEL, 'stream LISTEN pbx_events');
      this.link.on('notification', () => this.wake());
      this.link.on('connected', () => this.wake());
      this.link.start();
      this.timers.push(setInterval(() => this.wake(), POLL_MS));
      this.timers.push(setInterval(() => this.ping(), this.config.stream.pingIntervalMs));
      for (const timer of this.timers) timer.unref();
    })().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.link?.stop();
    for (const connection of this.connections) connection.close(CLOSE_GOING_AWAY, 'server shutting down');
  }

  connectionsOf(tokenId: number): number {
    return this.perToken.get(tokenId) ?? 0;
  }

  /** The place a client without `since` starts from: right after what the hub has read. */
  get head(): StreamCursor {
    if (!this.cursor) throw new Error('stream hub not started');
    return this.cursor;
  }

  /** Registers a client, live at once or after catching up from its cursor. */
  add(connection: StreamConnection, catchUp: boolean): void {
    this.connections.add(connection);
    const tokenId = connection.auth.tokenId;
    this.perToken.set(tokenId, this.connectionsOf(tokenId) + 1);
    this.metrics.streamClients.inc();
    connection.ws.on('close', () => this.remove(connection));
    if (!catchUp) {
      connection.live = true;
      return;
    }
    this.catchUp(connection).catch((error) => {
      this.logger.warn(`stream client of token ${tokenId} could not catch up: ${String(error)}`);
      connection.close(1011, 'could not read the stored events');
    });
  }

  private remove(connection: StreamConnection): void {
    if (!this.connections.delete(connection)) return;
    connection.closed = true;
    const tokenId = connection.auth.tokenId;
    const left = this.connectionsOf(tokenId) - 1;
    if (left > 0) this.perToken.set(tokenId, left);
    else this.perToken.delete(tokenId);
    this.metrics.streamClients.dec();
  }

  /** Pages of stored events up to the hub's cursor; joins the live clients once nothing is left below it. */
  private async catchUp(connection: StreamConnection): Promise<void> {
    while (!connection.closed) {
      const upTo = this.head;
      if (!isAfter(upTo, connection.cursor)) {
        connection.cursor = upTo;
        connection.live = true;
        return;
      }
      const page = await this.log.readAfter(connection.cursor, PAGE, upTo);
      for (const event of page) connection.deliver(event);
      if (page.length < PAGE && !connection.closed) connection.cursor = upTo;
      await connection.drained();
    }
  }

  private wake(): void {
    if (!this.cursor) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    this.readLive()
      .catch((error) => this.logger.warn(`stream read failed (retried): ${String(error)}`))
      .finally(() => {
        this.reading = false;
        if (this.readAgain) {
          this.readAgain = false;
          this.wake();
        }
      });
  }

  private async readLive(): Promise<void> {
    for (;;) {
      const page = await this.log.readAfter(this.head, PAGE);
      for (const event of page) {
        for (const connection of this.connections) if (connection.live) connection.deliver(event);
        this.cursor = event.cursor;
      }
      if (page.length > 0) this.metrics.streamEvents.inc(page.length);
      if (page.length < PAGE) {
        // an event stored behind a transaction still in flight: look again soon, not at the next poll
        if (await this.log.heldBack(this.head)) this.timers.push(this.soon());
        return;
      }
    }
  }

  private soon(): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer);
      this.wake();
    }, HELD_BACK_RETRY_MS);
    timer.unref();
    return timer;
  }

  /** A ping every interval; a client that has not answered one for two intervals is dropped. */
  private ping(): void {
    const now = Date.now();
    const timeout = 2 * this.config.stream.pingIntervalMs;
    for (const connection of this.connections) {
      if (now - connection.lastPongAt > timeout) {
        this.logger.log(`stream client of token ${connection.auth.tokenId} dropped: no pong for ${timeout} ms`);
        connection.terminate();
      } else if (!connection.closed) connection.ws.ping();
    }
  }
}
