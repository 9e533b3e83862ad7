import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { Client } from 'pg';
import WebSocket from 'ws';
import { metricValue } from './harness/raw-http';
import { AppProcess } from './harness/processes';
import { sleep, waitUntil } from './harness/sip-peer';
import { testContext } from './harness/test-context';

/** VmRSS of a process, in bytes. */
function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/**
 * What the stream must survive, on the built API as its own process (its memory is measured
 * alone): a client that never reads, a client that never answers pings, and the token in the
 * URL never reaching the log.
 */
describe('real-time stream limits (the built API as a process)', () => {
  const context = testContext();
  const adminToken = `pbx_test_admin_${randomBytes(12).toString('hex')}`;
  let db: Client;
  let callUuid: string;

  beforeAll(async () => {
    db = new Client({ connectionString: context.databaseUrl });
    await db.connect();
    // a call of this test's own to hang the injected events on
    callUuid = randomUUID();
    await db.query(
      `INSERT INTO calls (call_uuid, status, a_leg_uuid, direction, ended_at) VALUES ($1, 'ended', $2, 'inbound', now())`,
      [callUuid, randomUUID()],
    );
  });

  afterAll(async () => {
    await db?.end();
  });

  /** Stores `count` events of about 1 KiB each in transactions of 500, as the funnel would (NOTIFY at commit). */
  async function storeEvents(count: number, firstSequence: number): Promise<void> {
    for (let done = 0; done < count; done += 500) {
      await db.query(
        `WITH stored AS (
           INSERT INTO call_events (id, call_uuid, sequence, type, leg, occurred_at, payload)
           SELECT id, $1::uuid, s, 'pbx.call.ringing', 'a', now(),
                  jsonb_build_object('id', id, 'type', 'pbx.call.ringing', 'call_uuid', $1::text, 'sequence', s,
                                     'padding', repeat('x', 1000))
             FROM (SELECT gen_random_uuid() AS id, s FROM generate_series($2::int, $3::int) AS s) AS rows
           RETURNING 1
         )
         SELECT pg_notify('pbx_events', '') FROM (SELECT 1 FROM stored LIMIT 1) AS one`,
        [callUuid, firstSequence + done, firstSequence + Math.min(done + 500, count) - 1],
      );
    }
  }

  async function startApi(port: number, extra: Record<string, string>): Promise<AppProcess> {
    const api = AppProcess.api(context, port, { PBX_ADMIN_TOKEN: adminToken, ...extra });
    await api.start();
    return api;
  }

  it('a client that never reads is closed with 1013 while the API memory stays flat; a reading client gets everything', async () => {
    const api = await startApi(context.pbx.ariPort + 20, { STREAM_BUFFER_BYTES: '65536' });
    try {
      const url = `ws://127.0.0.1:${api.port}/api/pbx/events`;
      const reader = new WebSocket(url, { headers: { Authorization: `Bearer ${adminToken}` } });
      let read = 0;
      reader.on('message', () => read++);
      await new Promise((resolve) => reader.once('open', resolve));
      const total = 40_000; // about 40 MiB of frames, ten times what the kernel buffers of one socket hold
      /** the API's highest RSS while `total` events are stored and the reader gets them all */
      const peakWhileStreaming = async (already: number) => {
        let peak = rssOf(api.pid!);
        const sampler = setInterval(() => (peak = Math.max(peak, rssOf(api.pid!))), 50);
        try {
          await storeEvents(total, already + 1);
          await waitUntil(async () => read >= already + total, 60_000, 'the reading client got every frame');
          await sleep(500);
        } finally {
          clearInterval(sampler);
        }
        return peak;
      };
      // the baseline: the same load with only the reading client (the heap grows to its working size)
      const baseline = Math.max(await peakWhileStreaming(0), await peakWhileStreaming(total));

      const stalled = new WebSocket(`${url}?access_token=${adminToken}`);
      await new Promise((resolve) => stalled.once('open', resolve));
      // the client stops reading: its kernel buffers fill, then the server's send buffer
      (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
      let stalledCode: number | undefined;
      let stalledFrames = 0;
      stalled.on('message', () => stalledFrames++);
      stalled.once('close', (code) => (stalledCode = code));
      // what the API holds for its clients, sampled from its metrics while the stalled client is connected
      let heldPeak = 0;
      const scraping = setInterval(
        () =>
          void fetch(`${api.url}/metrics`)
            .then(
              async (r) => (heldPeak = Math.max(heldPeak, metricValue(await r.text(), 'pbx_stream_buffered_bytes'))),
            )
            .catch(() => undefined),
        100,
      );
      const withStalled = await peakWhileStreaming(2 * total).finally(() => clearInterval(scraping));

      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metricValue(metrics, 'pbx_stream_slow_consumers_total')).toBe(1);
      // the stalled client reads again: what was sent before the close, then the close frame 1013
      (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
      await waitUntil(async () => stalledCode !== undefined, 10_000, 'stalled client closed');
      expect(stalledCode).toBe(1013);
      // it got what the kernel buffers held before the close (about 4 MiB), not the 40 MiB stored since
      expect(stalledFrames).toBeLessThan(8_000);
      expect(read).toBe(3 * total);
      // the send buffers never held more than the stalled client's 64 KiB and the reader's share
      expect(heldPeak).toBeGreaterThan(0);
      expect(heldPeak).toBeLessThan(2 * 65536 + 4096);
      // flat: the stalled client's 40 MiB were not kept: the peak stays within 16 MiB of the highest
      // peak of the same load without it (the garbage of 40 MiB read from the database moves a peak by tens of MiB)
      expect(withStalled - baseline).toBeLessThan(16 * 1048576);
      reader.close();

      // the token given in the URL is redacted from the log
      const log = readFileSync(api.logFile, 'utf8');
      expect(log).toContain('access_token=');
      expect(log).not.toContain(adminToken);
    } finally {
      await api.stop();
    }
  }, 120_000);

  it('pings every STREAM_PING_INTERVAL_MS and drops a client that never answers after two intervals', async () => {
    const api = await startApi(context.pbx.ariPort + 21, { STREAM_PING_INTERVAL_MS: '300' });
    try {
      const client = new WebSocket(`ws://127.0.0.1:${api.port}/api/pbx/events`, {
        headers: { Authorization: `Bearer ${adminToken}` },
      });
      let pings = 0;
      client.on('ping', () => pings++);
      await new Promise((resolve) => client.once('open', resolve));

      // a raw client: the handshake, then silence (it never answers a ping)
      const silent = tcpConnect(api.port, '127.0.0.1');
      let answer = '';
      let closedAt = 0;
      silent.on('data', (chunk) => (answer += chunk.toString('latin1')));
      silent.on('close', () => (closedAt = Date.now()));
      silent.write(
        'GET /api/pbx/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          `Authorization: Bearer ${adminToken}\r\n\r\n`,
      );
      const openedAt = Date.now();
      await waitUntil(async () => closedAt > 0, 5_000, 'silent client dropped');
      expect(answer).toMatch(/^HTTP\/1\.1 101/);
      expect(closedAt - openedAt).toBeGreaterThanOrEqual(600);
      expect(client.readyState).toBe(WebSocket.OPEN); // the answering client stays
      expect(pings).toBeGreaterThanOrEqual(2);
      client.close();
    } finally {
      await api.stop();
    }
  }, 60_000);
  it("each connection attempt spends the token's budget (RATE_LIMIT_PER_TOKEN): reconnecting in a loop gets 429", async () => {
    const api = await startApi(context.pbx.ariPort + 22, { RATE_LIMIT_PER_TOKEN: '3' });
    try {
      const attempt = () =>
        new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${api.port}/api/pbx/events`, {
            headers: { Authorization: `Bearer ${adminToken}` },
          });
          ws.once('open', () => {
            ws.close();
            resolve(101);
          });
          ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          ws.once('error', reject);
        });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push(await attempt());
      expect(statuses).toEqual([101, 101, 101, 429]);
    } finally {
      await api.stop();
    }
  }, 60_000);
});
