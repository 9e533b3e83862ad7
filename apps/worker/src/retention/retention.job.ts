import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { CallsRetention, EventHolds } from '@pbx/calls';
import { CdrRetention } from '@pbx/cdrs';
import { DeletedRows, WebhookRetention } from '@pbx/webhooks';
import { MetricsService } from '@pbx/metrics';
import { retentionCutoffs } from './retention-cutoffs';

const HOUR_MS = 3_600_000;
/** the first run waits for the worker to settle (Asterisk, recovery) */
const START_DELAY_MS = 30_000;
/** partitions exist for this month and this many months ahead */
const MONTHS_AHEAD = 2;
/** one run at a time across workers: a session advisory lock ('pbxg') */
const RETENTION_LOCK = 0x7062_7867;

/** What a run did: rows deleted by table, partitions created and dropped. */
export interface RetentionReport {
  skipped: boolean;
  deleted: Record<string, number>;
  created: string[];
  dropped: string[];
}

/**
 * Bounded growth (SPEC section 5): every hour, and once shortly after start, each domain
 * deletes what its retention setting lets go, in its own tables: webhooks its finished
 * deliveries, calls the expired idempotency keys, old events (a whole month partition at once
 * when it can) and old ended calls, CDRs their old months; and the month partitions ahead are
 * made. One run at a time in the process (a run asked for while one goes runs after it), one
 * across workers (advisory lock: the loser skips).
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('retention');
  private startTimer?: NodeJS.Timeout;
  private hourly?: NodeJS.Timeout;
  private current: Promise<RetentionReport> | null = null;
  private next: Promise<RetentionReport> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly calls: CallsRetention,
    private readonly webhooks: WebhookRetention,
    private readonly cdrs: CdrRetention,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.startTimer = setTimeout(() => void this.run(), START_DELAY_MS);
    this.hourly = setInterval(() => void this.run(), HOUR_MS);
  }

  /** No more scheduled runs; waits (up to 10 s) for the one going on, so it does not outlive the database pool. */
  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.startTimer);
    clearInterval(this.hourly);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.current, this.next]),
      new Promise((resolve) => (timer = setTimeout(resolve, 10_000))),
    ]);
    clearTimeout(timer);
  }

  /** Runs once (after the run going on, if any); never throws: a failure is logged and counted. */
  run(at?: Date): Promise<RetentionReport> {
    if (this.next) return this.next;
    const start = () => {
      this.current = this.guarded(at ?? new Date()).finally(() => (this.current = null));
      return this.current;
    };
    if (!this.current) return start();
    this.next = this.current.then(() => {
      this.next = null;
      return start();
    });
    return this.next;
  }

  private async guarded(now: Date): Promise<RetentionReport> {
    const report: RetentionReport = { skipped: false, deleted: {}, created: [], dropped: [] };
    const lock = this.dataSource.createQueryRunner();
    try {
      await lock.connect();
      const [{ locked }] = (await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK])) as Array<{
        locked: boolean;
      }>;
      if (!locked) {
        this.metrics.retentionRuns.inc({ outcome: 'skipped' });
        report.skipped = true;
        return report;
      }
      try {
        await this.purge(now, report);
        this.metrics.retentionRuns.inc({ outcome: 'ok' });
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      }
    } catch (error) {
      this.metrics.retentionRuns.inc({ outcome: 'failed' });
      this.logger.error(`retention run failed: ${(error as Error).message}`);
    } finally {
      await lock.release().catch(() => undefined);
      this.record(report);
    }
    return report;
  }

  private async purge(now: Date, report: RetentionReport): Promise<void> {
    const cutoffs = retentionCutoffs(now, this.config.retention);
    const count = (table: string, rows: number) => (report.deleted[table] = (report.deleted[table] ?? 0) + rows);
    const countDeliveries = (rows: DeletedRows) => {
      count('webhook_deliveries', rows.webhook_deliveries);
      count('webhook_attempts', rows.webhook_attempts);
    };
    const holds: EventHolds = {
      heldEvents: (ids) => this.webhooks.heldEvents(ids),
      heldCalls: (uuids) => this.webhooks.heldCalls(uuids),
      allHeldEvents: () => this.webhooks.allHeldEvents(),
      forgetEvents: async (ids) => countDeliveries(await this.webhooks.forgetEvents(ids)),
    };

    report.created.push(...(await this.calls.ensureEventPartitions(now, MONTHS_AHEAD)));
    report.created.push(...(await this.cdrs.ensurePartitions(now, MONTHS_AHEAD)));
    count('idempotency_keys', await this.calls.deleteExpiredIdempotencyKeys());
    count('call_commands', await this.calls.deleteOldCommands());
    if (cutoffs.deliveries) countDeliveries(await this.webhooks.deleteFinished(cutoffs.deliveries));
    if (cutoffs.events) {
      const months = await this.calls.dropEventMonths(cutoffs.events, holds);
      report.dropped.push(...months.dropped);
      count('call_events', months.events);
      count('call_events', await this.calls.deleteEvents(cutoffs.events, holds));
    }
    if (cutoffs.calls) {
      const gone = await this.calls.deleteCalls(cutoffs.calls, holds);
      count('calls', gone.calls);
      count('call_events', gone.events);
    }
    if (cutoffs.cdrs) {
      const months = await this.cdrs.dropMonthsBefore(cutoffs.cdrs);
      report.dropped.push(...months.dropped);
      count('cdrs', months.rows);
    }
    countDeliveries(await this.webhooks.deleteOrphanPending());
  }

  private record(report: RetentionReport): void {
    if (report.skipped) return;
    for (const [table, rows] of Object.entries(report.deleted))
      if (rows > 0) this.metrics.retentionDeleted.inc({ table }, rows);
    const counts = Object.entries(report.deleted)
      .map(([table, rows]) => `${table}=${rows}`)
      .join(' ');
    this.logger.log(
      `retention run: deleted ${counts || 'nothing'}; partitions created [${report.created.join(', ')}], dropped [${report.dropped.join(', ')}]`,
    );
  }
}
