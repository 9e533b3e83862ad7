import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AmiConnection, AriConnection } from '@pbx/asterisk';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The process's Prometheus registry; every component records through this one service. */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();

  readonly calls = new Counter({
    name: 'pbx_calls_total',
    help: 'Ended calls by outcome (disposition)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly apiToAgentRinging = new Histogram({
    name: 'pbx_click_to_call_agent_ringing_seconds',
    help: 'From the accepted click-to-call request to the agent phone ringing',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly agentToCustomerAnswer = new Histogram({
    name: 'pbx_click_to_call_customer_answer_seconds',
    help: 'From the agent answering to the customer answering',
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'pbx_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly webhookLatency = new Histogram({
    name: 'pbx_webhook_request_seconds',
    help: 'Duration of webhook delivery requests (connect to response)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly throttled = new Counter({
    name: 'pbx_throttled_requests_total',
    help: 'Requests refused with 429, by rate-limit group',
    labelNames: ['group'],
    registers: [this.registry],
  });
  readonly reconcileRuns = new Counter({
    name: 'pbx_reconcile_runs_total',
    help: 'Worker reconcile runs: ok, failed, skipped (Asterisk down) or joined (asked for while one was running)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly reconcileInProgress = new Gauge({
    name: 'pbx_reconcile_in_progress',
    help: 'Reconcile runs going on now (never more than 1)',
    registers: [this.registry],
  });
  readonly tokenLookups = new Counter({
    name: 'pbx_token_lookups_total',
    help: 'API tokens looked up in the database (not answered from the short caches)',
    registers: [this.registry],
  });
  readonly rateLimitFallback = new Counter({
    name: 'pbx_rate_limit_fallback_total',
    help: 'Requests counted by this API process alone because Redis (REDIS_URL) did not answer',
    registers: [this.registry],
  });
  readonly rateLimitRedisUp = new Gauge({
    name: 'pbx_rate_limit_redis_up',
    help: '1 while the shared rate-limit counters in Redis answer (REDIS_URL set)',
    registers: [this.registry],
  });

  readonly sipBans = new Counter({
    name: 'pbx_sip_bans_total',
    help: 'Source addresses banned after repeated failed SIP authentications',
    registers: [this.registry],
  });
  readonly sipContactMoves = new Counter({
    name: 'pbx_sip_contact_moves_total',
    help: "Phones' contacts that moved to a new address while the old one was reachable",
    registers: [this.registry],
  });

  readonly streamClients = new Gauge({
    name: 'pbx_stream_clients',
    help: 'Clients connected to the real-time stream (GET /api/pbx/events) of this API process',
    registers: [this.registry],
  });
  readonly streamEvents = new Counter({
    name: 'pbx_stream_events_total',
    help: 'Stored events read by the stream of this API process (each sent to every live client that may see it)',
    registers: [this.registry],
  });
  readonly streamRefused = new Counter({
    name: 'pbx_stream_refused_total',
    help: 'Stream connections refused before the upgrade, by HTTP status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly streamSlowConsumers = new Counter({
    name: 'pbx_stream_slow_consumers_total',
    help: 'Stream clients closed with 1013 because their send buffer was full',
    registers: [this.registry],
  });

  /** set by the stream (libs/event-stream): the bytes its clients' sockets have not written out yet */
  private streamBuffered?: () => number;

  readonly retentionDeleted = new Counter({
    name: 'pbx_retention_deleted_rows_total',
    help: 'Rows deleted by the retention job (row by row or with a dropped month partition), by table',
    labelNames: ['table'],
    registers: [this.registry],
  });
  readonly retentionRuns = new Counter({
    name: 'pbx_retention_runs_total',
    help: 'Retention job runs: ok, failed, or skipped (another worker held the lock)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  /** set by the calls domain, which owns the calls table (see countActiveCallsWith) */
  private activeCalls?: () => Promise<number>;

  constructor(ami: AmiConnection, ari: AriConnection) {
    collectDefaultMetrics({ register: this.registry });
    const source = () => this.activeCalls;
    new Gauge({
      name: 'pbx_active_calls',
      help: 'Calls not ended yet',
      registers: [this.registry],
      async collect() {
        try {
          const count = await source()?.();
          if (count !== undefined) this.set(count);
        } catch {
          /* database away: keep the last value */
        }
      },
    });
    const buffered = () => this.streamBuffered;
    new Gauge({
      name: 'pbx_stream_buffered_bytes',
      help: 'Bytes waiting in the send buffers of the stream clients of this API process (each at most STREAM_BUFFER_BYTES)',
      registers: [this.registry],
      collect() {
        this.set(buffered()?.() ?? 0);
      },
    });
    new Gauge({
      name: 'pbx_asterisk_connection_up',
      help: '1 when the AMI / ARI connection is up',
      labelNames: ['link'],
      registers: [this.registry],
      collect() {
        this.set({ link: 'ami' }, ami.connected ? 1 : 0);
        this.set({ link: 'ari' }, ari.connected ? 1 : 0);
      },
    });
  }

  /** The stream tells how many bytes wait in its clients' send buffers. */
  measureStreamBufferWith(measure: () => number): void {
    this.streamBuffered = measure;
  }

  /** The calls domain tells how many calls are live; metrics never reads its tables. */
  countActiveCallsWith(count: () => Promise<number>): void {
    this.activeCalls = count;
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}
