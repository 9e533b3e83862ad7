import { ConsoleLogger, INestApplication, LogLevel } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Test, TestingModule } from '@nestjs/testing';
import { json, urlencoded } from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ApiValidationPipe, bodyParserErrorHandler, HttpErrorFilter } from '@pbx/common';
import { AuthModule } from '@pbx/auth';
import { CALL_EVENT_TYPES, CallEvent, CallEventType } from '@pbx/call-events';
import { ConfigModule } from '@pbx/config';
import { DatabaseModule } from '@pbx/database';
import {
  DEFAULT_WEBHOOK_OPTIONS,
  WEBHOOK_OPTIONS,
  WebhookDeliveryStore,
  WebhookDispatcherModule,
  WebhookOptions,
  WebhookOutbox,
  WebhooksModule,
} from '@pbx/webhooks';
import { testContext, testEnv } from './harness/test-context';
import { ReceivedRequest, WebhookReceiver } from './harness/webhook-receiver';

// short enough to watch retries and a give-up within a test; the receiver is on 127.0.0.1
const FAST: WebhookOptions = {
  ...DEFAULT_WEBHOOK_OPTIONS,
  pollIntervalMs: 200,
  timeoutMs: 1_000,
  backoffBaseMs: 100,
  backoffCapMs: 400,
  retryWindowMs: 5_000,
  allowPrivateNetworks: true,
};
const LOGGER: LogLevel[] =
  process.env.TEST_LOG_LEVEL === 'debug' ? ['fatal', 'error', 'warn', 'log', 'debug'] : ['fatal', 'error'];

/**
 * Webhooks as a CRM sees them: a real HTTP receiver, events committed through the outbox the
 * way the call funnel does it, and two dispatchers (the API app's and a second worker) sharing
 * the database throughout, so every test also checks that nothing is sent twice.
 */
describe('webhooks', () => {
  let app: INestApplication;
  let worker: TestingModule;
  let adminToken: string;
  let dataSource: DataSource;
  let outbox: WebhookOutbox;
  let receiver: WebhookReceiver;

  /** Builds a Nest app or context with the test environment, as startTestApi does. */
  async function compile(imports: unknown[], providers: unknown[] = []): Promise<TestingModule> {
    const saved = { ...process.env };
    Object.assign(process.env, testEnv(testContext(), { PBX_ADMIN_TOKEN: adminToken }));
    try {
      return await Test.createTestingModule({ imports: imports as never[], providers: providers as never[] })
        .overrideProvider(WEBHOOK_OPTIONS)
        .useValue(FAST)
        .setLogger(new ConsoleLogger({ logLevels: LOGGER }))
        .compile();
    } finally {
      process.env = saved;
    }
  }

  beforeAll(async () => {
    adminToken = `pbx_test_admin_${randomBytes(12).toString('hex')}`;
    const moduleRef = await compile(
      [ConfigModule, DatabaseModule, AuthModule, WebhooksModule, WebhookDispatcherModule],
      [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useClass: ApiValidationPipe },
      ],
    );
    app = moduleRef.createNestApplication({ bodyParser: false });
    app.use(json({ limit: '64kb', strict: true }));
    app.use(urlencoded({ extended: false, limit: '64kb' }));
    app.use(bodyParserErrorHandler());
    await app.init();
    worker = await compile([ConfigModule, DatabaseModule, WebhookDispatcherModule]);
    await worker.init();
    dataSource = app.get(DataSource);
    outbox = app.get(WebhookOutbox);
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await receiver?.close();
  });

  // a finished test's subscriptions must not take deliveries (and load) from the next one
  afterEach(async () => dataSource.query('UPDATE webhook_subscriptions SET active = false'));

  const auth = (t: request.Test, token = adminToken) => t.set('Authorization', `Bearer ${token}`);
  const api = {
    get: (path: string) => auth(request(app.getHttpServer()).get(path)),
    post: (path: string, body?: unknown) => auth(request(app.getHttpServer()).post(path)).send(body as object),
    patch: (path: string, body: unknown) => auth(request(app.getHttpServer()).patch(path)).send(body as object),
    del: (path: string) => auth(request(app.getHttpServer()).delete(path)),
  };

  async function subscribe(
    path: string,
    events: readonly CallEventType[] = CALL_EVENT_TYPES,
  ): Promise<{ id: number; secret: string }> {
    const created = await api.post('/api/pbx/webhooks', { url: receiver.url(path), events }).expect(201);
    return created.body.data;
  }

  interface TestCall {
    uuid: string;
    sequence: number;
    stored: boolean;
  }
  const newCall = (): TestCall => ({ uuid: randomUUID(), sequence: 0, stored: false });

  function buildEvent(call: TestCall, type: CallEventType): CallEvent {
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
        caller_id: '02812345678',
        trunk_id: null,
        trunk_name: null,
        routing_mode: 'dialplan_default',
        status: type.split('.').pop() ?? '',
        headers: {},
      },
    };
  }

  /** What the call funnel does: store the events and enqueue them in one transaction. */
  async function emit(
    call: TestCall,
    types: CallEventType[],
    options: { rollback?: boolean } = {},
  ): Promise<CallEvent[]> {
    const events = types.map((type) => buildEvent(call, type));
    const rolledBack = new Error('rolled back on purpose');
    await dataSource
      .transaction(async (manager) => {
        // the call row as the funnel leaves it: ended (a worker's reconcile must not try to end
        // it and collide with these sequences) and last_sequence at its last event
        if (!call.stored) {
          await manager.query(
            `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode, last_sequence, disposition, ended_at)
             VALUES ($1, 'ended', $2, $3, '1001', '0901234567', '02812345678', 'dialplan_default', $4, 'ANSWERED', now())`,
            [call.uuid, randomUUID(), randomUUID(), call.sequence],
          );
        } else {
          await manager.query('UPDATE calls SET last_sequence = $2 WHERE call_uuid = $1', [call.uuid, call.sequence]);
        }
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
        if (options.rollback) throw rolledBack;
      })
      .catch((error) => {
        if (error !== rolledBack) throw error;
      });
    if (!options.rollback) call.stored = true;
    return events;
  }

  const deliveries = async (subscriptionId: number) =>
    (await dataSource.query(
      'SELECT * FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY call_uuid, sequence',
      [subscriptionId],
    )) as Array<{
      id: string;
      event_id: string;
      sequence: number;
      status: string;
      attempt_count: number;
    }>;

  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > deadline)
        throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const parsed = (r: ReceivedRequest) => JSON.parse(r.body) as CallEvent;
  const ok = (r: ReceivedRequest) => typeof r.answered === 'number' && r.answered >= 200 && r.answered < 300;

  /** No request for event N+1 of a call before event N got a 2xx; every event succeeds once. */
  function expectOrderedAndOnce(requests: ReceivedRequest[]): void {
    const delivered = new Map<string, number>();
    for (const r of requests) {
      const event = parsed(r);
      const done = delivered.get(event.call_uuid) ?? 0;
      expect({ call: event.call_uuid, sequence: event.sequence, after: done }).toEqual({
        call: event.call_uuid,
        sequence: done + 1,
        after: done,
      });
      if (ok(r)) delivered.set(event.call_uuid, event.sequence);
    }
    const successes = new Map<string, number>();
    for (const r of requests.filter(ok))
      successes.set(r.headers['webhook-id'], (successes.get(r.headers['webhook-id']) ?? 0) + 1);
    expect([...successes.values()].every((n) => n === 1)).toBe(true);
  }

  describe('subscriptions', () => {
    it('creates with defaults and returns the secret once, never again', async () => {
      const created = await api
        .post('/api/pbx/webhooks', {
          url: 'https://crm.example.com/hooks?tenant=1',
          events: ['pbx.call.hangup', 'pbx.call.hangup'],
        })
        .expect(201);
      const webhook = created.body.data;
      expect(webhook).toMatchObject({
        url: 'https://crm.example.com/hooks?tenant=1',
        events: ['pbx.call.hangup'],
        active: true,
        format: 'zorio',
        disabled_reason: null,
      });
      expect(typeof webhook.id).toBe('number');
      expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(webhook.secret_prefix).toBe(webhook.secret.slice(0, 10));

      const got = await api.get(`/api/pbx/webhooks/${webhook.id}`).expect(200);
      expect(got.body.data).not.toHaveProperty('secret');
      expect(got.body.data.secret_prefix).toBe(webhook.secret_prefix);
      const list = await api.get('/api/pbx/webhooks').expect(200);
      expect(list.body.data.map((w: { id: number }) => w.id)).toContain(webhook.id);
      expect(JSON.stringify(list.body) + JSON.stringify(got.body)).not.toContain(webhook.secret.slice(6));
      const stored = await dataSource.query('SELECT secret FROM webhook_subscriptions WHERE id = $1', [webhook.id]);
      expect(stored[0].secret).toBe(webhook.secret);
    });

    it('updates, deletes, and answers 404 for unknown or malformed ids', async () => {
      const { id } = await subscribe('/crud');
      const patched = await api
        .patch(`/api/pbx/webhooks/${id}`, { events: ['pbx.call.answered'], active: false })
        .expect(200);
      expect(patched.body.data).toMatchObject({ id, events: ['pbx.call.answered'], active: false });
      expect(patched.body.data).not.toHaveProperty('secret');
      await api.del(`/api/pbx/webhooks/${id}`).expect(204);
      await api.get(`/api/pbx/webhooks/${id}`).expect(404);
      await api.del(`/api/pbx/webhooks/${id}`).expect(404);
      for (const bad of ['abc', '0', '-1', '99999999999']) {
        expect((await api.get(`/api/pbx/webhooks/${bad}`).expect(404)).body.error.code).toBe('not_found');
      }
      await api.get(`/api/pbx/webhooks/${id}/deliveries`).expect(404);
      await api.post(`/api/pbx/webhooks/${id}/deliveries/1/redeliver`).expect(404);
    });

    it('needs an admin token', async () => {
      await request(app.getHttpServer()).get('/api/pbx/webhooks').expect(401);
      await auth(request(app.getHttpServer()).post('/api/pbx/webhooks'), 'pbx_not_a_real_token_at_all')
        .send({})
        .expect(401);
    });

    const url = 'https://crm.example.com/in';
    it.each([
      ['no body fields', {}, ['events', 'url']],
      ['a relative url', { url: '/in', events: ['pbx.call.hangup'] }, ['url']],
      ['an ftp url', { url: 'ftp://crm.example.com/in', events: ['pbx.call.hangup'] }, ['url']],
      ['credentials in the url', { url: 'https://user:pw@crm.example.com/in', events: ['pbx.call.hangup'] }, ['url']],
      ['CRLF in the url', { url: 'https://crm.example.com/in\r\nX-Evil: 1', events: ['pbx.call.hangup'] }, ['url']],
      ['a url over 2000 chars', { url: `${url}/${'a'.repeat(2000)}`, events: ['pbx.call.hangup'] }, ['url']],
      ['no events', { url, events: [] }, ['events']],
      ['an unknown event', { url, events: ['pbx.call.ringing', 'pbx.call.parked'] }, ['events']],
      ['events as a string', { url, events: 'pbx.call.hangup' }, ['events']],
      ['an unknown format', { url, events: ['pbx.call.hangup'], format: 'hubspot' }, ['format']],
      ['active as a string', { url, events: ['pbx.call.hangup'], active: 'true' }, ['active']],
      ['a secret chosen by the client', { url, events: ['pbx.call.hangup'], secret: 'whsec_mine' }, ['secret']],
    ])('refuses %s with 422 naming the field, writing nothing', async (_name, body, fields) => {
      const before = (await dataSource.query('SELECT count(*)::int AS n FROM webhook_subscriptions'))[0].n;
      const response = await api.post('/api/pbx/webhooks', body).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect([...new Set(response.body.error.details.map((d: { field: string }) => d.field))].sort()).toEqual(fields);
      expect((await dataSource.query('SELECT count(*)::int AS n FROM webhook_subscriptions'))[0].n).toBe(before);
    });

    it('refuses bad updates and bad paging parameters with 422', async () => {
      const { id } = await subscribe('/bad-updates');
      expect(
        (await api.patch(`/api/pbx/webhooks/${id}`, { url: 'gopher://x' }).expect(422)).body.error.details[0].field,
      ).toBe('url');
      expect(
        (await api.patch(`/api/pbx/webhooks/${id}`, { events: null }).expect(422)).body.error.details[0].field,
      ).toBe('events');
      for (const query of ['limit=0', 'limit=201', 'limit=abc', 'before_id=x', 'cursor=1']) {
        await api.get(`/api/pbx/webhooks/${id}/deliveries?${query}`).expect(422);
      }
    });
  });

  describe('delivery', () => {
    it('sends each subscribed event once, signed with the Standard Webhooks scheme', async () => {
      const { id, secret } = await subscribe('/signed', ['pbx.call.ringing', 'pbx.call.hangup']);
      const call = newCall();
      const events = await emit(call, ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup']);
      const received = await receiver.waitFor('/signed', (r) => r.length >= 2);
      await sleep(600);
      expect(receiver.on('/signed')).toHaveLength(2);
      expect(received.map((r) => r.headers['webhook-id'])).toEqual([events[0].id, events[2].id]);
      for (const [i, r] of received.entries()) {
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers['user-agent']).toBe('pbx-control-plane');
        expect(Number(r.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
        expect(new Webhook(secret).verify(r.body, r.headers)).toEqual([events[0], events[2]][i]);
        expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(r.body, r.headers)).toThrow();
      }
      const rows = await eventually(
        () => deliveries(id),
        (rows) => rows.every((d) => d.status === 'succeeded'),
      );
      expect(rows.map((d) => [d.sequence, d.status, d.attempt_count])).toEqual([
        [1, 'succeeded', 1],
        [3, 'succeeded', 1],
      ]);
    });

    it('keeps per-call order while the receiver fails, then delivers every event exactly once', async () => {
      const { id, secret } = await subscribe('/order');
      const failing = new Set<string>();
      // the first call's first event: no answer (timeout), then a 500 with a long body, then 200
      receiver.respond('/order', (request, previous) => {
        const event = parsed(request);
        if (!failing.has(event.call_uuid)) return { status: 200 };
        const tries = previous.filter((p) => p.headers['webhook-id'] === request.headers['webhook-id']).length;
        if (event.sequence === 1 && tries === 0) return { hang: true };
        if (tries < 2) return { status: 500, body: 'x'.repeat(5000) };
        return { status: 204 };
      });
      const slow = newCall();
      failing.add(slow.uuid);
      const first = await emit(slow, ['pbx.call.ringing']);
      const others = [newCall(), newCall(), newCall()];
      for (const call of others) await emit(call, ['pbx.call.ringing']);
      // later events of the call arrive while its first one is still being retried
      const later = await emit(slow, ['pbx.call.answered']);
      for (const call of others) await emit(call, ['pbx.call.answered', 'pbx.call.hangup']);
      const last = await emit(slow, ['pbx.call.hangup', 'pbx.cdr.created']);

      const expectedIds = [...first, ...later, ...last].map((e) => e.id);
      await receiver.waitFor(
        '/order',
        (r) => expectedIds.every((eventId) => r.some((x) => ok(x) && x.headers['webhook-id'] === eventId)),
        20_000,
      );
      await eventually(
        () => deliveries(id),
        (rows) => rows.length === 13 && rows.every((d) => d.status === 'succeeded'),
      );
      await sleep(600);
      const requests = receiver.on('/order');
      expectOrderedAndOnce(requests);
      expect(requests.filter(ok)).toHaveLength(13);
      for (const r of requests) expect(() => new Webhook(secret).verify(r.body, r.headers)).not.toThrow();
      // retries of one event carry the same webhook-id
      expect(requests.filter((r) => r.headers['webhook-id'] === first[0].id).map((r) => r.answered)).toEqual([
        'hang',
        500,
        204,
      ]);
      // the other calls were not held up by the slow one
      const slowDone = requests.find((r) => ok(r) && r.headers['webhook-id'] === first[0].id)!.at;
      expect(requests.filter((r) => ok(r) && parsed(r).call_uuid !== slow.uuid).every((r) => r.at < slowDone)).toBe(
        true,
      );

      // every attempt is in the delivery log, newest delivery first
      const log = await api.get(`/api/pbx/webhooks/${id}/deliveries?limit=200`).expect(200);
      expect(log.body.data.map((d: { id: number }) => d.id)).toEqual(
        [...log.body.data.map((d: { id: number }) => d.id)].sort((a, b) => b - a),
      );
      const head = log.body.data.find((d: { event_id: string }) => d.event_id === first[0].id);
      expect(head).toMatchObject({
        status: 'succeeded',
        attempt_count: 3,
        sequence: 1,
        call_uuid: slow.uuid,
        event_type: 'pbx.call.ringing',
        next_attempt_at: null,
      });
      expect(head.attempts).toEqual([
        {
          attempt: 1,
          started_at: expect.any(String),
          duration_ms: expect.any(Number),
          response_status: null,
          error: 'timed out after 1000 ms',
          response_body: null,
        },
        {
          attempt: 2,
          started_at: expect.any(String),
          duration_ms: expect.any(Number),
          response_status: 500,
          error: null,
          response_body: 'x'.repeat(1024),
        },
        {
          attempt: 3,
          started_at: expect.any(String),
          duration_ms: expect.any(Number),
          response_status: 204,
          error: null,
          response_body: null,
        },
      ]);
      expect(head.attempts[0].duration_ms).toBeGreaterThanOrEqual(900);
    });

    it('pages the delivery log with limit and before_id', async () => {
      const { id } = await subscribe('/paging', ['pbx.call.ringing']);
      for (let i = 0; i < 5; i++) await emit(newCall(), ['pbx.call.ringing']);
      const first = await api.get(`/api/pbx/webhooks/${id}/deliveries?limit=2`).expect(200);
      expect(first.body.data).toHaveLength(2);
      const second = await api
        .get(`/api/pbx/webhooks/${id}/deliveries?limit=2&before_id=${first.body.next_before_id}`)
        .expect(200);
      const third = await api
        .get(`/api/pbx/webhooks/${id}/deliveries?limit=2&before_id=${second.body.next_before_id}`)
        .expect(200);
      const ids = [...first.body.data, ...second.body.data, ...third.body.data].map((d: { id: number }) => d.id);
      expect(ids).toHaveLength(5);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(third.body.next_before_id).toBeNull();
    });

    it('never sends an event whose transaction rolled back', async () => {
      const { id } = await subscribe('/rollback');
      const [lost] = await emit(newCall(), ['pbx.call.ringing'], { rollback: true });
      const [kept] = await emit(newCall(), ['pbx.call.ringing']);
      await receiver.waitFor('/rollback', (r) => r.some((x) => x.headers['webhook-id'] === kept.id));
      await sleep(600);
      expect(receiver.on('/rollback').map((r) => r.headers['webhook-id'])).toEqual([kept.id]);
      expect((await deliveries(id)).map((d) => d.event_id)).toEqual([kept.id]);
      expect(lost.id).not.toBe(kept.id);
    });

    it('two dispatchers on one database never send the same event twice', async () => {
      const { id } = await subscribe('/crowd');
      // a receiver slow enough that one dispatcher cannot take everything
      receiver.respond('/crowd', { status: 200, delayMs: 30 });
      const claimedBy = [app.get(WebhookDeliveryStore), worker.get(WebhookDeliveryStore)].map((store) => {
        const claimed: string[] = [];
        const claim = store.claim.bind(store);
        jest.spyOn(store, 'claim').mockImplementation(async (...args) => {
          const batch = await claim(...args);
          claimed.push(...batch.filter((d) => d.subscriptionId === id).map((d) => d.eventId));
          return batch;
        });
        return claimed;
      });
      const calls = Array.from({ length: 30 }, newCall);
      await Promise.all(calls.map((call) => emit(call, ['pbx.call.ringing', 'pbx.call.answered'])));
      for (const call of calls) await emit(call, ['pbx.call.hangup', 'pbx.cdr.created']);
      await receiver.waitFor('/crowd', (r) => r.length >= 120, 30_000);
      await eventually(
        () => deliveries(id),
        (rows) => rows.length === 120 && rows.every((d) => d.status === 'succeeded'),
      );
      await sleep(1_000);
      const requests = receiver.on('/crowd');
      expect(requests).toHaveLength(120);
      expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(120);
      expectOrderedAndOnce(requests);
      const attempts = await dataSource.query(
        'SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1',
        [id],
      );
      expect(attempts[0].n).toBe(120);
      // both took part, and no event was claimed by both
      jest.restoreAllMocks();
      expect(claimedBy[0].length).toBeGreaterThan(0);
      expect(claimedBy[1].length).toBeGreaterThan(0);
      expect(new Set([...claimedBy[0], ...claimedBy[1]]).size).toBe(claimedBy[0].length + claimedBy[1].length);
    });

    it('reconnects its LISTEN connection when the database drops it', async () => {
      const listeners = () =>
        dataSource
          .query(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN pbx_webhook_deliveries'`,
          )
          .then((rows: Array<{ pid: number }>) => rows.map((r) => r.pid));
      const before = await eventually(listeners, (pids) => pids.length === 2);
      await dataSource.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
      const after = await eventually(
        listeners,
        (pids) => pids.length === 2 && pids.every((pid) => !before.includes(pid)),
        10_000,
      );
      expect(after).toHaveLength(2);
      const { id } = await subscribe('/relisten', ['pbx.call.ringing']);
      const [event] = await emit(newCall(), ['pbx.call.ringing']);
      await receiver.waitFor('/relisten', (r) => r.some((x) => x.headers['webhook-id'] === event.id));
      expect((await deliveries(id))[0].status).toBe('succeeded');
    });
  });

  describe('giving up and redelivery', () => {
    it('410 Gone fails the delivery, deactivates the subscription and sends nothing more', async () => {
      const { id } = await subscribe('/gone');
      receiver.respond('/gone', { status: 410, body: 'unsubscribed' });
      const call = newCall();
      const events = await emit(call, ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup']);
      await eventually(
        () => api.get(`/api/pbx/webhooks/${id}`).then((r) => r.body.data),
        (w) => w.active === false,
      );
      const rows = await eventually(
        () => deliveries(id),
        (rows) => rows.every((d) => d.status !== 'pending'),
      );
      expect(rows.map((d) => [d.event_id, d.status])).toEqual([
        [events[0].id, 'failed'],
        [events[1].id, 'skipped'],
        [events[2].id, 'skipped'],
      ]);
      // an inactive subscription gets no new deliveries
      await emit(call, ['pbx.cdr.created']);
      await emit(newCall(), ['pbx.call.ringing']);
      await sleep(800);
      expect(await deliveries(id)).toHaveLength(3);
      const gone = receiver.on('/gone');
      expect(gone.map((r) => [r.headers['webhook-id'], r.answered])).toEqual([[events[0].id, 410]]);
      const webhook = (await api.get(`/api/pbx/webhooks/${id}`).expect(200)).body.data;
      expect(webhook).toMatchObject({ active: false, disabled_reason: expect.stringContaining('410') });
      const sentId = events[0].id;

      const log = await api.get(`/api/pbx/webhooks/${id}/deliveries`).expect(200);
      const failed = log.body.data.find((d: { event_id: string }) => d.event_id === sentId);
      expect(failed).toMatchObject({
        status: 'failed',
        last_status: 410,
        attempts: [{ attempt: 1, response_status: 410, response_body: 'unsubscribed' }],
      });
    });

    it('a head given up after the retry window fails, its followers are skipped, and each can be redelivered', async () => {
      const { id, secret } = await subscribe('/down');
      receiver.respond('/down', { status: 503, body: 'maintenance' });
      const call = newCall();
      const [ringing, answered] = await emit(call, ['pbx.call.ringing', 'pbx.call.answered']);
      const rows = await eventually(
        () => deliveries(id),
        (rows) => rows.every((d) => d.status !== 'pending'),
        15_000,
      );
      expect(rows.map((d) => d.status)).toEqual(['failed', 'skipped']);
      expect(rows[0].attempt_count).toBeGreaterThan(3);
      expect(rows[1].attempt_count).toBe(0);
      expect(receiver.on('/down').every((r) => r.headers['webhook-id'] === ringing.id)).toBe(true);
      // a later event of that call must not overtake the failed one either
      const [hangup] = await emit(call, ['pbx.call.hangup']);
      expect((await deliveries(id)).map((d) => d.status)).toEqual(['failed', 'skipped', 'skipped']);

      receiver.respond('/down', { status: 200 });
      const log = (await api.get(`/api/pbx/webhooks/${id}/deliveries`).expect(200)).body.data as Array<{
        id: number;
        event_id: string;
        status: string;
      }>;
      const deliveryOf = (eventId: string) => log.find((d) => d.event_id === eventId)!.id;
      const again = await api
        .post(`/api/pbx/webhooks/${id}/deliveries/${deliveryOf(ringing.id)}/redeliver`)
        .expect(202);
      expect(again.body.data).toMatchObject({ status: 'pending', event_id: ringing.id });
      await api.post(`/api/pbx/webhooks/${id}/deliveries/${deliveryOf(answered.id)}/redeliver`).expect(202);
      await api.post(`/api/pbx/webhooks/${id}/deliveries/${deliveryOf(hangup.id)}/redeliver`).expect(202);
      await eventually(
        () => deliveries(id),
        (rows) => rows.every((d) => d.status === 'succeeded'),
      );
      const delivered = receiver.on('/down').filter(ok);
      expect(delivered.map((r) => r.headers['webhook-id'])).toEqual([ringing.id, answered.id, hangup.id]);
      for (const r of delivered) expect(() => new Webhook(secret).verify(r.body, r.headers)).not.toThrow();

      const refused = await api
        .post(`/api/pbx/webhooks/${id}/deliveries/${deliveryOf(ringing.id)}/redeliver`)
        .expect(409);
      expect(refused.body.error).toMatchObject({ code: 'in_use', details: { status: 'succeeded' } });
      await api.post(`/api/pbx/webhooks/${id}/deliveries/999999999/redeliver`).expect(404);
      await api.post(`/api/pbx/webhooks/${id}/deliveries/abc/redeliver`).expect(404);
      const { id: otherId } = await subscribe('/elsewhere');
      await api.post(`/api/pbx/webhooks/${otherId}/deliveries/${deliveryOf(ringing.id)}/redeliver`).expect(404);
    });

    it('after a 410, reactivating and redelivering sends again', async () => {
      const { id } = await subscribe('/comeback', ['pbx.call.ringing']);
      receiver.respond('/comeback', { status: 410 });
      const [event] = await emit(newCall(), ['pbx.call.ringing']);
      await eventually(
        () => deliveries(id),
        (rows) => rows[0]?.status === 'failed',
      );
      receiver.respond('/comeback', { status: 200 });
      const [row] = await deliveries(id);
      await api.patch(`/api/pbx/webhooks/${id}`, { active: true }).expect(200);
      expect((await api.get(`/api/pbx/webhooks/${id}`)).body.data.disabled_reason).toBeNull();
      await api.post(`/api/pbx/webhooks/${id}/deliveries/${row.id}/redeliver`).expect(202);
      await receiver.waitFor('/comeback', (r) => r.some(ok));
      expect(receiver.on('/comeback').map((r) => [r.headers['webhook-id'], r.answered])).toEqual([
        [event.id, 410],
        [event.id, 200],
      ]);
    });
  });
});
