import type { DataSource } from 'typeorm';
import type { AppConfig } from '@pbx/config';
import type { CallsRetention } from '@pbx/calls';
import type { CdrRetention } from '@pbx/cdrs';
import type { WebhookRetention } from '@pbx/webhooks';
import type { MetricsService } from '@pbx/metrics';
import { RetentionJob } from './retention.job';

/** The job's shell with its domains faked: order, lock, one run at a time, counting. */
function harness(options: { locked?: boolean; failEvents?: boolean } = {}) {
  const steps: string[] = [];
  const lockCalls: string[] = [];
  let release: () => void = () => undefined;
  const gate = { wait: false };
  const dataSource = {
    createQueryRunner: () => ({
      connect: async () => undefined,
      query: async (sql: string) => {
        lockCalls.push(sql);
        return [{ locked: options.locked ?? true }];
      },
      release: async () => undefined,
    }),
  } as unknown as DataSource;
  const config = {
    retention: { callsDays: 30, eventsDays: 7, webhookDeliveriesDays: 14, cdrMonths: 12 },
  } as unknown as AppConfig;
  const step =
    <T>(name: string, result: T) =>
    async (...args: unknown[]) => {
      steps.push(name);
      if (name === 'ensureEventPartitions' && gate.wait) await new Promise<void>((r) => (release = r));
      if (name === 'deleteEvents' && options.failEvents) throw new Error('boom');
      void args;
      return result;
    };
  const calls = {
    ensureEventPartitions: step('ensureEventPartitions', ['call_events_2027_01']),
    deleteExpiredIdempotencyKeys: step('deleteExpiredIdempotencyKeys', 3),
    deleteOldCommands: step('deleteOldCommands', 6),
    dropEventMonths: step('dropEventMonths', { dropped: ['call_events_2026_01'], events: 100 }),
    deleteEvents: step('deleteEvents', 5),
    deleteCalls: step('deleteCalls', { calls: 2, events: 4 }),
  } as unknown as CallsRetention;
  const webhooks = {
    deleteFinished: step('deleteFinished', { webhook_deliveries: 7, webhook_attempts: 9 }),
    deleteOrphanPending: step('deleteOrphanPending', { webhook_deliveries: 1, webhook_attempts: 0 }),
  } as unknown as WebhookRetention;
  const cdrs = {
    ensurePartitions: step('ensurePartitions', []),
    dropMonthsBefore: step('dropMonthsBefore', { dropped: ['cdrs_2025_10'], rows: 50 }),
  } as unknown as CdrRetention;
  const counted: Record<string, number> = {};
  const runs: string[] = [];
  const metrics = {
    retentionDeleted: {
      inc: ({ table }: { table: string }, n: number) => (counted[table] = (counted[table] ?? 0) + n),
    },
    retentionRuns: { inc: ({ outcome }: { outcome: string }) => runs.push(outcome) },
  } as unknown as MetricsService;
  const job = new RetentionJob(dataSource, config, calls, webhooks, cdrs, metrics);
  return { job, steps, lockCalls, counted, runs, gate, release: () => release() };
}

describe('retention job', () => {
  it('runs every domain under the lock, sums rows by table and counts them', async () => {
    const h = harness();
    const report = await h.job.run(new Date('2026-11-30T12:00:00Z'));
    expect(h.steps).toEqual([
      'ensureEventPartitions',
      'ensurePartitions',
      'deleteExpiredIdempotencyKeys',
      'deleteOldCommands',
      'deleteFinished',
      'dropEventMonths',
      'deleteEvents',
      'deleteCalls',
      'dropMonthsBefore',
      'deleteOrphanPending',
    ]);
    expect(report).toEqual({
      skipped: false,
      deleted: {
        idempotency_keys: 3,
        call_commands: 6,
        webhook_deliveries: 8,
        webhook_attempts: 9,
        call_events: 109,
        calls: 2,
        cdrs: 50,
      },
      created: ['call_events_2027_01'],
      dropped: ['call_events_2026_01', 'cdrs_2025_10'],
    });
    expect(h.counted).toEqual({
      idempotency_keys: 3,
      call_commands: 6,
      webhook_deliveries: 8,
      webhook_attempts: 9,
      call_events: 109,
      calls: 2,
      cdrs: 50,
    });
    expect(h.runs).toEqual(['ok']);
    expect(h.lockCalls.map((sql) => sql.split('(')[0])).toEqual([
      'SELECT pg_try_advisory_lock',
      'SELECT pg_advisory_unlock',
    ]);
  });

  it('skips when another worker holds the lock, touching nothing', async () => {
    const h = harness({ locked: false });
    expect((await h.job.run()).skipped).toBe(true);
    expect(h.steps).toEqual([]);
    expect(h.runs).toEqual(['skipped']);
    expect(h.counted).toEqual({});
  });

  it('a failed run is counted and logged, never thrown, and the lock is let go', async () => {
    const h = harness({ failEvents: true });
    const report = await h.job.run();
    expect(report.skipped).toBe(false);
    expect(h.runs).toEqual(['failed']);
    expect(h.lockCalls.at(-1)).toContain('pg_advisory_unlock');
  });

  it('runs one at a time: asked for during a run, it runs once after it (however often asked)', async () => {
    const h = harness();
    h.gate.wait = true;
    const first = h.job.run();
    await new Promise((r) => setImmediate(r));
    const second = h.job.run();
    const third = h.job.run();
    expect(third).toBe(second);
    expect(h.steps.filter((s) => s === 'ensureEventPartitions')).toHaveLength(1);
    h.gate.wait = false;
    h.release();
    await Promise.all([first, second]);
    expect(h.steps.filter((s) => s === 'ensureEventPartitions')).toHaveLength(2);
    expect(h.runs).toEqual(['ok', 'ok']);
  });
});
