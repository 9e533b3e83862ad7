import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startTestApi, TestApi } from './harness/api';
import { waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

/**
 * A worker that stopped between a call's end and its MP3 leaves the recording `pending`; the
 * next worker's reconcile finishes it (the stored WAVs are fetched from Asterisk) or fails it
 * with `pbx.recording.failed`, so no link stays "not ready yet" for ever.
 */
describe('recordings a stopped worker left pending', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let db: Client;
  const workerLog = new WorkerLog();

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startTestWorker({ RECONCILE_INTERVAL_MS: '1000' }, workerLog);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  /** An ended call (`endedSecondsAgo`) with a pending recording of one segment Asterisk no longer has. */
  async function orphan(endedSecondsAgo: number): Promise<string> {
    const callUuid = randomUUID();
    await db.query(
      `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode,
                          record, created_at, updated_at, ended_at)
       VALUES ($1, 'ended', $2, $3, '1001', '0901234567', '1001', 'dialplan_default', true,
               now() - make_interval(secs => $4 + 5), now(), now() - make_interval(secs => $4))`,
      [callUuid, randomUUID(), randomUUID(), endedSecondsAgo],
    );
    await db.query(
      `INSERT INTO recordings (token, call_uuid, status, segments) VALUES ($1, $2, 'pending', ARRAY[$3])`,
      [randomUUID().replace(/-/g, '').padEnd(43, 'x'), callUuid, `${callUuid}-1`],
    );
    return callUuid;
  }
  const statusOf = async (callUuid: string) =>
    (await db.query('SELECT status, failure_reason FROM recordings WHERE call_uuid = $1', [callUuid])).rows[0];

  it('an old one is taken up and, its WAV gone, failed with its event; a call that just ended is left to its own worker', async () => {
    const old = await orphan(120);
    const recent = await orphan(5);
    await waitUntil(async () => (await statusOf(old)).status === 'failed', 15_000, 'the orphan failed');
    expect((await statusOf(old)).failure_reason).toContain('not fetched');
    const events = (
      await db.query(`SELECT type, payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence`, [old])
    ).rows;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['pbx.recording.failed']);
    expect(workerLog.errorsSince(0).some((line) => line.includes(old) && line.includes('recording failed'))).toBe(true);
    // within the grace the normal path owns it
    expect((await statusOf(recent)).status).toBe('pending');
  });
});
