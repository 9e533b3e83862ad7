import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import proxyAddr from 'proxy-addr';
import { WebSocketServer } from 'ws';
import { AuthContext, BEARER, checkToken, TokensService } from '@pbx/auth';
import { EventLog, StreamCursor } from '@pbx/calls';
import { DomainError, ErrorCode, HttpErrorFilter, statusOf } from '@pbx/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { redactUrl } from '@pbx/logging';
import { MetricsService } from '@pbx/metrics';
import { AddressGate, rateLimited, TokenBudget } from '@pbx/throttling';
import { StreamConnection } from './stream-connection';
import { StreamHub } from './stream-hub';

export const STREAM_PATH = '/api/pbx/events';
/** how far back `since` may reach */
export const RESUME_WINDOW_MS = 24 * 3600 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Decides who the client is: Express's `trust proxy` rule (TRUST_PROXY), which Express does not apply to upgrades. */
export type TrustProxy = (address: string, hop: number) => boolean;

interface Accepted {
  auth: AuthContext;
  /** where the client resumes; undefined = from now */
  since?: StreamCursor;
  address: string;
}

/**
 * `GET /api/pbx/events` upgraded to a WebSocket. Nest's guards never see an upgrade, so this
 * runs their rules itself, in the same order, before answering 101: the address's budget for
 * requests without a known token (429 before any lookup), the token (header or
 * `?access_token=`, 401), its scope (`admin` or `calls`, 403), `since` (400 when not an event
 * id, 410 when not stored or older than 24 h), then the token's cap of open streams (429).
 * A refusal is the API's JSON error body over plain HTTP. The URL is logged with access_token
 * redacted.
 */
@Injectable()
export class StreamUpgrade {
  private readonly logger = new Logger('stream');
  private readonly errors = new HttpErrorFilter();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 });

  constructor(
    private readonly hub: StreamHub,
    private readonly log: EventLog,
    private readonly tokens: TokensService,
    private readonly addresses: AddressGate,
    private readonly budget: TokenBudget,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The HTTP server's 'upgrade' listener. */
  handle(request: IncomingMessage, socket: Duplex, head: Buffer, trustProxy: TrustProxy): void {
    socket.on('error', () => socket.destroy());
    const started = Date.now();
    const url = redactUrl(request.url ?? '');
    this.accept(request, trustProxy)
      .then((accepted) => this.upgrade(request, socket, head, accepted, url, started))
      .catch((error: unknown) => this.refuse(socket, error, url, started));
  }

  private async accept(request: IncomingMessage, trustProxy: TrustProxy): Promise<Accepted> {
    const url = new URL(request.url ?? '/', 'http://stream.invalid');
    if (url.pathname !== STREAM_PATH && url.pathname !== `${STREAM_PATH}/`)
      throw DomainError.notFound('route', url.pathname.slice(0, 100));
    if (request.headers.upgrade?.toLowerCase() !== 'websocket')
      throw DomainError.invalid('upgrade', 'this route only speaks WebSocket (Upgrade: websocket)');
    const rawAddress = proxyAddr(request, trustProxy);
    const address = rawAddress.startsWith('::ffff:') ? rawAddress.slice(7) : rawAddress;

    const auth = await this.authenticate(request, url, address);
    // every connection attempt spends the token's budget like any request: reconnecting in a loop is throttled
    const spent = await this.budget.consume('default', auth.tokenId);
    if (!spent.allowed) throw rateLimited(spent);
    if (!auth.scopes.includes('admin') && !auth.scopes.includes('calls'))
      throw new DomainError(ErrorCode.Forbidden, 'the stream needs scope admin or calls', {
        required_scopes: ['admin', 'calls'],
      });
    const since = await this.resumePoint(url.searchParams.get('since'));
    return { auth, since, address };
  }

  private authenticate(request: IncomingMessage, url: URL, address: string): Promise<AuthContext> {
    const token =
      BEARER.exec(request.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token') ?? undefined;
    return checkToken(this.tokens, token, {
      reserve: async () => {
        const decision = await this.addresses.reserveAddress(address);
        if (!decision.allowed) throw rateLimited(decision);
      },
      release: () => this.addresses.releaseAddress(address),
    });
  }

  private async resumePoint(since: string | null): Promise<StreamCursor | undefined> {
    if (since === null) return undefined;
    if (!UUID.test(since)) throw DomainError.invalid('since', 'since must be the id of an event (a UUID)');
    const point = await this.log.resumePoint(since.toLowerCase());
    if (!point || point.occurredAt.getTime() < Date.now() - RESUME_WINDOW_MS)
      throw new DomainError(
        ErrorCode.SinceExpired,
        'no stored event with this id within the last 24 h: read GET /api/pbx/calls, then stream from now',
        [{ field: 'since', message: 'unknown or expired event id' }],
      );
    return point.cursor;
  }

  private async upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    accepted: Accepted,
    url: string,
    started: number,
  ): Promise<void> {
    await this.hub.start();
    const { auth, since, address } = accepted;
    const max = this.config.stream.maxPerToken;
    // no await from this check to the registration: two upgrades of one token cannot both take the last place
    if (this.hub.connectionsOf(auth.tokenId) >= max)
      throw new DomainError(
        ErrorCode.RateLimited,
        `this token already has ${max} open streams (STREAM_MAX_PER_TOKEN)`,
        {
          limit: max,
        },
      );
    if (socket.destroyed) return;
    const cursor = since ?? this.hub.head;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new StreamConnection(ws, auth, cursor, { bufferBytes: this.config.stream.bufferBytes }, () => {
        this.metrics.streamSlowConsumers.inc();
        this.logger.warn(`stream client of token ${auth.tokenId} at ${address} closed: slow consumer (1013)`);
      });
      this.hub.add(connection, since !== undefined);
      this.logger.log(
        `stream opened ${url} token ${auth.tokenId} from ${address} (${Date.now() - started} ms)` +
          (since ? `, resuming after ${since.xact}/${since.position}` : ''),
      );
      ws.on('close', (code) =>
        this.logger.log(
          `stream closed ${code} token ${auth.tokenId} from ${address} after ${connection.frames} frames`,
        ),
      );
      ws.on('error', (error) => this.logger.warn(`stream of token ${auth.tokenId}: ${error.message}`));
    });
  }

  private refuse(socket: Duplex, error: unknown, url: string, started: number): void {
    const body = this.errors.toBody(error);
    const status = statusOf(body.error.code);
    if (status >= 500) this.logger.error(`stream ${url}: ${error instanceof Error ? error.stack : String(error)}`);
    else this.logger.log(`stream refused ${url}: ${status} ${body.error.code} (${Date.now() - started} ms)`);
    this.metrics.streamRefused.inc({ status: String(status) });
    if (socket.destroyed) return;
    const json = JSON.stringify(body);
    const headers = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(json)}`,
      'Connection: close',
    ];
    const retryAfter =
      error instanceof DomainError ? (error.details as { retry_after?: number } | null)?.retry_after : undefined;
    if (status === 429) headers.push(`Retry-After: ${retryAfter ?? 1}`);
    socket.end(`${headers.join('\r\n')}\r\n\r\n${json}`);
  }
}
