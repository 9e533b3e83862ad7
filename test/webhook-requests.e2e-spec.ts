import { ConsoleLogger, INestApplication, LogLevel } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test, TestingModule } from '@nestjs/testing';
import { json } from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ApiValidationPipe, bodyParserErrorHandler, HttpErrorFilter } from '@pbx/common';
import { AuthModule } from '@pbx/auth';
import { CallEventRecord, CallEventType } from '@pbx/call-events';
import { ConfigModule } from '@pbx/config';
import { DatabaseModule } from '@pbx/database';
import {
  DEFAULT_RENDERERS,
  DEFAULT_WEBHOOK_OPTIONS,
  OutboundRequest,
  WEBHOOK_OPTIONS,
  WEBHOOK_RENDERERS,
  WebhookDispatcherModule,
  WebhookOutbox,
  WebhookRenderer,
  WebhooksModule,
} from '@pbx/webhooks';
import { testContext, testEnv } from './harness/test-context';
import { ReceivedRequest, WebhookReceiver } from './harness/webhook-receiver';

const FAST = {
  ...DEFAULT_WEBHOOK_OPTIONS,
  pollIntervalMs: 200,
  timeoutMs: 1_000,
  backoffBaseMs: 100,
  backoffCapMs: 400,
  retryWindowMs: 4_000,
  allowPrivateNetworks: true,
};
const LOGGER: LogLevel[] =
  process.env.TEST_LOG_LEVEL === 'debug' ? ['fatal', 'error', 'warn', 'log', 'debug'] : ['fatal', 'error'];

/**
 * A dialect of several requests per event, as partner formats need (no shipped format does it
 * yet): ringing is one GET with a query string, answered is nothing, hangup is a GET, a
 * multipart POST and a PUT whose reply would matter, cdr.created a POST and a PUT.
 */
const split: WebhookRenderer = {
  format: 'split',
  render(event, subscription): OutboundRequest[] {
    if (event.type === 'pbx.extension.state_changed') return [];
    const get: OutboundRequest = {
      method: 'GET',
      url: `${subscription.url}?event=${encodeURIComponent(event.type)}&callid=${encodeURIComponent(event.callUuid)}&seq=${event.sequence}`,
      headers: {},
      body: null,
    };
    const form: OutboundRequest = {
      method: 'POST',
      url: subscription.url,
      headers: { 'content-type': 'multipart/form-data; boundary=pbx' },
      body: `--pbx\r\nContent-Disposition: form-data; name="callid"\r\n\r\n${event.callUuid}\r\n--pbx\r\nContent-Disposition: form-data; name="caller"\r\n\r\nNguyễn\r\n--pbx--\r\n`,
    };
    const put: OutboundRequest = {
      method: 'PUT',
      url: subscription.url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: event.id }),
      awaitReply: { deadlineMs: 2_000 },
    };
    switch (event.type) {
      case 'pbx.call.ringing':
        return [get];
      case 'pbx.call.answered':
        return [];
      case 'pbx.call.hangup':
        return [get, form, put];
      case 'pbx.cdr.created':
        return [form, put];
      default:
        return [];
    }
  },
};

/**
 * Deliveries of several requests per event: one row per (subscription, event, request index),
 * `webhook-id` = event id, then `<event id>.<n>`; each request waits for the one before it, the
 * call's next event for the last one; retries, give-up and redelivery per request.
 */
describe('webhook requests (several per event)', () => {
  let app: INestApplication;
  let worker: TestingModule;
  let adminToken: string;
  let dataSource: DataSource;
  let outbox: WebhookOutbox;
  let receiver: WebhookReceiver;

  async function compile(imports: unknown[], providers: unknown[] = []): Promise<TestingModule> {
    const saved = { ...process.env };
    Object.assign(process.env, testEnv(testContext(), { PBX_ADMIN_TOKEN: adminToken }));
    try {
      return await Test.createTestingModule({ imports: imports as never[], providers: providers as never[] })
        .overrideProvider(WEBHOOK_OPTIONS)
        .useValue(FAST)
        .overrideProvider(WEBHOOK_RENDERERS)
        .useValue(new Map([...DEFAULT_RENDERERS, [split.format, split]]))
        .setLogger(new ConsoleLogger({ logLevels: LOGGER }))
        .compile();
    } finally {
      process.env = saved;
    }
  }

  beforeAll(async () => {
    adminToken = `pbx_test_admin_${randomBytes(12).toString('hex')}`;
    const moduleRef = await compile(
      [ConfigModule, DatabaseModule, AuthModule, WebhooksModule],
      [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useClass: ApiValidationPipe },
      ],
    );
    app = moduleRef.createNestApplication({ bodyParser: false });
    app.use(json({ limit: '64kb', strict: true }));
    app.use(bodyParserErrorHandler());
    await app.init();
    worker = await compile([ConfigModule, DatabaseModule, WebhookDispatcherModule]);
    await worker.init();
    dataSource = app.get(DataSource);
    outbox = worker.get(WebhookOutbox);
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    // the test-only format exists in this process only: later specs list the subscriptions
    await dataSource?.query(`UPDATE webhook_subscriptions SET format = 'zorio', active = false WHERE format = 'split'`);
    await worker?.close();
    await app?.close();
    await receiver?.close();
  });

  afterEach(async () => dataSource.query('UPDATE webhook_subscriptions SET active = false'));

  const api = {
    get: (path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${adminToken}`),
    post: (path: string, body?: object) =>
      request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${adminToken}`).send(body),
  };

  /** The API accepts only shipped formats, so the test's own is set in the table. */
  async function subscribe(path: string): Promise<{ id: number; secret: string }> {
    const created = (
      await api
        .post('/api/pbx/webhooks', {
          url: receiver.url(path),
          events: ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'],
        })
        .expect(201)
    ).body.data;
    await dataSource.query(`UPDATE webhook_subscriptions SET format = 'split' WHERE id = $1`, [created.id]);
    return created;
  }

  /** Stores and enqueues a call's events in one transaction, as the call funnel does. */
  async function emitCall(
    types: CallEventType[],
    call = { uuid: randomUUID(), sequence: 0 },
  ): Promise<CallEventRecord[]> {
    const events = types.map((type): CallEventRecord => {
      call.sequence += 1;
      return {
        id: randomUUID(),
        type,
        occurred_at: new Date().toISOString(),
        call_uuid: call.uuid,
        sequence: call.sequence,
        leg: 'a',
        leg_uuid: null,
        call: {
          call_uuid: call.uuid,
          a_leg_uuid: randomUUID(),
          b_leg_uuid: randomUUID(),
          from_extension: '1001',
          to_phone: '0901234567',
          caller_id: '1001',
          trunk_id: null,
          trunk_name: null,
          routing_mode: 'dialplan_default',
          status: 'ended',
          headers: {},
        },
        ...(type === 'pbx.call.hangup'
          ? {
              hangup: {
                disposition: 'ANSWERED' as const,
                cause: 16,
                cause_text: 'Normal Clearing',
                hangup_by: 'b' as const,
              },
            }
          : {}),
      };
    });
    await dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode) VALUES ($1, 'ended', $2, $3, '1001', '0901234567', '1001', 'dialplan_default') ON CONFLICT DO NOTHING`,
        [call.uuid, randomUUID(), randomUUID()],
      );
      for (const event of events) {
        await manager.query(
          `INSERT INTO call_events (id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            event.id,
            event.call_uuid,
            event.sequence,
            event.type,
            event.leg,
            event.leg_uuid,
            event.occurred_at,
            JSON.stringify(event),
          ],
        );
        await outbox.enqueue(manager, event);
      }
    });
    return events;
  }

  const FOUR: CallEventType[] = ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'];
  /** The webhook-ids a call's four events make, in the order they must go out. */
  const expectedIds = ([ringing, , hangup, cdr]: CallEventRecord[]) => [
    ringing.id,
    hangup.id,
    `${hangup.id}.1`,
    `${hangup.id}.2`,
    cdr.id,
    `${cdr.id}.1`,
  ];
  const at = (path: string) => receiver.requests.filter((r) => r.path.split('?')[0] === path);
  const ok = (r: ReceivedRequest) => typeof r.answered === 'number' && r.answered < 300;
  const ofCall = (requests: ReceivedRequest[], events: CallEventRecord[]) =>
    requests.filter((r) => expectedIds(events).includes(r.headers['webhook-id']));
  const rows = (subscriptionId: number) =>
    dataSource.query(
      `SELECT e.type, d.request_index, d.status, d.attempt_count FROM webhook_deliveries d JOIN call_events e ON e.id = d.event_id
        WHERE d.subscription_id = $1 ORDER BY d.call_uuid, d.sequence, d.request_index`,
      [subscriptionId],
    ) as Promise<Array<{ type: string; request_index: number; status: string; attempt_count: number }>>;

  async function eventually<T>(
    read: () => Promise<T> | T,
    done: (value: T) => boolean,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline)
        throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('sends each request as rendered, in order, signed as <event id>.<n>, one row each', async () => {
    const { id, secret } = await subscribe('/split-a');
    const calls = [await emitCall(FOUR), await emitCall(FOUR)];
    await eventually(
      () => rows(id),
      (r) => r.length === 14 && r.every((d) => d.status === 'succeeded'),
    );
    for (const events of calls) {
      const sent = ofCall(at('/split-a'), events);
      expect(sent.map((r) => r.headers['webhook-id'])).toEqual(expectedIds(events));
      expect(sent.map((r) => r.method)).toEqual(['GET', 'GET', 'POST', 'PUT', 'POST', 'PUT']);
      const [ringing, , hangup] = events;
      expect(sent[0].path).toBe(`/split-a?event=pbx.call.ringing&callid=${ringing.call_uuid}&seq=1`);
      expect(sent[0]).toMatchObject({ body: '' });
      expect(sent[0].headers).not.toHaveProperty('content-length');
      expect(sent[2].headers['content-type']).toBe('multipart/form-data; boundary=pbx');
      expect(sent[2].body).toContain('Nguyễn');
      expect(Number(sent[2].headers['content-length'])).toBe(Buffer.byteLength(sent[2].body));
      expect(JSON.parse(sent[3].body)).toEqual({ id: hangup.id });
      // every request is signed over its own id and exact body (the empty string for a GET)
      for (const r of sent) {
        const signedAt = new Date(Number(r.headers['webhook-timestamp']) * 1000);
        expect(r.headers['webhook-signature']).toBe(
          new Webhook(secret).sign(r.headers['webhook-id'], signedAt, r.body),
        );
      }
    }
    expect(at('/split-a')).toHaveLength(12);
    // answered renders to nothing: its row completes without a request
    expect((await rows(id)).slice(0, 7).map((d) => [d.type, d.request_index, d.status, d.attempt_count])).toEqual([
      ['pbx.call.ringing', 0, 'succeeded', 1],
      ['pbx.call.answered', 0, 'succeeded', 0],
      ['pbx.call.hangup', 0, 'succeeded', 1],
      ['pbx.call.hangup', 1, 'succeeded', 1],
      ['pbx.call.hangup', 2, 'succeeded', 1],
      ['pbx.cdr.created', 0, 'succeeded', 1],
      ['pbx.cdr.created', 1, 'succeeded', 1],
    ]);
    const log = (await api.get(`/api/pbx/webhooks/${id}/deliveries?limit=200`).expect(200)).body.data as Array<
      Record<string, unknown>
    >;
    const hangupId = calls[0][2].id;
    expect(log.filter((d) => d.event_id === hangupId).map((d) => [d.request_index, d.webhook_id, d.status])).toEqual([
      [2, `${hangupId}.2`, 'succeeded'],
      [1, `${hangupId}.1`, 'succeeded'],
      [0, hangupId, 'succeeded'],
    ]);
  });

  it('a failing request is retried under its own id and holds the rest of its event and of its call', async () => {
    const { id } = await subscribe('/split-b');
    const events = await emitCall(FOUR);
    const middle = `${events[2].id}.1`;
    receiver.respond('/split-b', (r, previous) =>
      r.headers['webhook-id'] === middle && previous.filter((p) => p.headers['webhook-id'] === middle).length < 2
        ? { status: 500 }
        : { status: 200 },
    );
    await eventually(
      () => rows(id),
      (r) => r.length === 7 && r.every((d) => d.status === 'succeeded'),
    );
    const sent = ofCall(at('/split-b'), events);
    const ids = expectedIds(events);
    expect(sent.map((r) => [r.headers['webhook-id'], r.answered])).toEqual([
      [ids[0], 200],
      [ids[1], 200],
      [middle, 500],
      [middle, 500],
      [middle, 200],
      [ids[3], 200],
      [ids[4], 200],
      [ids[5], 200],
    ]);
    expect((await rows(id)).find((d) => d.type === 'pbx.call.hangup' && d.request_index === 1)?.attempt_count).toBe(3);
  });

  it('a request given up fails alone; the rest of its event and call are skipped, and redelivery resumes the line', async () => {
    const { id } = await subscribe('/split-c');
    const events = await emitCall(FOUR);
    const middle = `${events[2].id}.1`;
    let down = true;
    receiver.respond('/split-c', (r) =>
      down && r.headers['webhook-id'] === middle ? { status: 503 } : { status: 200 },
    );
    const settled = await eventually(
      () => rows(id),
      (r) => r.length >= 6 && r.every((d) => d.status !== 'pending'),
      15_000,
    );
    // cdr.created's second row never came to exist: its first request was never sent
    expect(settled.map((d) => [d.type, d.request_index, d.status])).toEqual([
      ['pbx.call.ringing', 0, 'succeeded'],
      ['pbx.call.answered', 0, 'succeeded'],
      ['pbx.call.hangup', 0, 'succeeded'],
      ['pbx.call.hangup', 1, 'failed'],
      ['pbx.call.hangup', 2, 'skipped'],
      ['pbx.cdr.created', 0, 'skipped'],
    ]);
    expect(
      ofCall(at('/split-c'), events)
        .filter(ok)
        .map((r) => r.headers['webhook-id']),
    ).toEqual(expectedIds(events).slice(0, 2));

    down = false;
    const log = (await api.get(`/api/pbx/webhooks/${id}/deliveries?limit=200`).expect(200)).body.data as Array<{
      id: number;
      webhook_id: string;
      status: string;
    }>;
    // in the call's order (the rows of later requests were made after the next event's, so ids do not say it)
    const line = expectedIds(events);
    const unsent = log
      .filter((d) => d.status !== 'succeeded')
      .sort((x, y) => line.indexOf(x.webhook_id) - line.indexOf(y.webhook_id));
    expect(unsent.map((d) => d.webhook_id)).toEqual([middle, `${events[2].id}.2`, events[3].id]);
    for (const row of unsent) await api.post(`/api/pbx/webhooks/${id}/deliveries/${row.id}/redeliver`).expect(202);
    await eventually(
      () => rows(id),
      (r) => r.length === 7 && r.every((d) => d.status === 'succeeded'),
    );
    expect(
      ofCall(at('/split-c'), events)
        .filter(ok)
        .map((r) => r.headers['webhook-id']),
    ).toEqual(expectedIds(events));
  });
});
