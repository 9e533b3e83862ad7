import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CallEvent } from '@pbx/call-events';
import { WebhookOutbox } from '@pbx/webhooks';
import { startTestApi, TestApi } from '../harness/api';
import { WebhookReceiver } from '../harness/webhook-receiver';
import { startTestWorker } from '../harness/worker';

const STRICT = {
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  WEBHOOK_BACKOFF_BASE_MS: '200',
  WEBHOOK_BACKOFF_CAP_MS: '1000',
};

/** Every spelling of a forbidden target; WHATWG URL turns the numeric ones into 127.0.0.1. */
const FORBIDDEN = [
  'http://127.0.0.1/hook',
  'http://0.0.0.0/hook',
  'http://[::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://2130706433/hook',
  'http://0x7f000001/hook',
  'http://0177.0.0.1/hook',
  'http://10.0.0.1/hook',
  'http://169.254.169.254/latest/meta-data/',
  'https://localhost/hook',
  'https://localhost./hook',
  'http://100.64.0.1/hook',
  'http://[fd00::1]/hook',
  // documentation ranges are not globally reachable: refused like the rest (target-policy.ts)
  'http://203.0.113.10/hook',
];

/**
 * The SSRF rule from outside, with WEBHOOK_ALLOW_PRIVATE_NETWORKS=false: literal forbidden targets
 * are refused at creation and PATCH with nothing written, and targets that got into the database
 * anyway (stored before the rule, or while it was off) are refused by the worker at send time
 * without a request reaching the receiver.
 */
describe('webhook targets under the SSRF rule', () => {
  let api: TestApi;
  let dataSource: DataSource;
  let receiver: WebhookReceiver;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    api = await startTestApi(STRICT);
    dataSource = api.app.get(DataSource);
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await api?.close();
  });

  const rowCount = async () =>
    Number((await dataSource.query('SELECT count(*)::int AS n FROM webhook_subscriptions'))[0].n);
  const expectRefusedUrl = (body: { error: { code: string; details: Array<{ field: string; message: string }> } }) => {
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details).toEqual([
      { field: 'url', message: expect.stringMatching(/^url must not target .*WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/) },
    ]);
  };

  it.each(FORBIDDEN)('refuses %s at creation with 422 naming url, writing nothing', async (url) => {
    const before = await rowCount();
    const response = await api.post('/api/pbx/webhooks', { url, events: ['pbx.call.hangup'] }).expect(422);
    expectRefusedUrl(response.body);
    expect(await rowCount()).toBe(before);
  });

  it('refuses the same targets on PATCH and leaves the subscription as it was', async () => {
    const created = (
      await api
        .post('/api/pbx/webhooks', {
          url: 'https://crm.example.com/hooks/pbx',
          events: ['pbx.call.hangup'],
          active: false,
        })
        .expect(201)
    ).body.data;
    for (const url of FORBIDDEN) {
      expectRefusedUrl(
        (await api.patch(`/api/pbx/webhooks/${created.id}`, { url, events: ['pbx.call.answered'] }).expect(422)).body,
      );
    }
    const after = (await api.get(`/api/pbx/webhooks/${created.id}`).expect(200)).body.data;
    expect(after).toMatchObject({
      url: 'https://crm.example.com/hooks/pbx',
      events: ['pbx.call.hangup'],
      updated_at: created.updated_at,
    });
  });

  it('accepts a public name (checked at send time) and a public literal address', async () => {
    for (const url of [
      'https://crm.example.com/hooks/pbx',
      'https://93.184.215.14/hooks',
      'https://[2606:4700:4700::1111]/hooks',
      'https://localhost.example.com/x',
    ]) {
      const created = await api
        .post('/api/pbx/webhooks', { url, events: ['pbx.call.hangup'], active: false })
        .expect(201);
      expect(created.body.data.url).toBe(url);
    }
  });

  /** A subscription that got past creation: stored before the rule existed, or while it was off. */
  async function storedSubscription(url: string): Promise<number> {
    const [row] = await dataSource.query(
      `INSERT INTO webhook_subscriptions (url, events, active, format, secret, secret_prefix)
       VALUES ($1, '{pbx.call.hangup}', true, 'zorio', $2, 'whsec_legacy') RETURNING id`,
      [url, `whsec_${randomUUID().replace(/-/g, '')}`],
    );
    return row.id;
  }

  /** One hangup event committed through the outbox, as the call funnel does it. */
  async function emitHangup(): Promise<void> {
    const callUuid = randomUUID();
    const event = {
      id: randomUUID(),
      type: 'pbx.call.hangup',
      occurred_at: new Date().toISOString(),
      call_uuid: callUuid,
      sequence: 1,
      leg: 'a',
      leg_uuid: null,
      call: {
        call_uuid: callUuid,
        a_leg_uuid: randomUUID(),
        b_leg_uuid: null,
        from_extension: '1001',
        to_phone: '0901234567',
        caller_id: null,
        trunk_id: null,
        trunk_name: null,
        routing_mode: 'dialplan_default',
        status: 'hangup',
        headers: {},
      },
    } as unknown as CallEvent;
    await dataSource.transaction(async (manager) => {
      await manager.query(
        // ended, at its last sequence: a worker's reconcile leaves it alone (see webhooks.e2e-spec.ts)
        `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode, last_sequence, disposition, ended_at)
         VALUES ($1, 'ended', $2, $3, '1001', '0901234567', '02812345678', 'dialplan_default', 1, 'ANSWERED', now())`,
        [callUuid, randomUUID(), randomUUID()],
      );
      await manager.query(
        `INSERT INTO call_events (id, call_uuid, sequence, type, leg, leg_uuid, occurred_at, payload) VALUES ($1, $2, 1, $3, 'a', NULL, $4, $5)`,
        [event.id, callUuid, event.type, event.occurred_at, JSON.stringify(event)],
      );
      await api.app.get(WebhookOutbox).enqueue(manager, event);
    });
  }

  async function firstAttempt(
    subscriptionId: number,
  ): Promise<{ error: string | null; response_status: number | null; response_body: string | null }> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const deliveries = (await api.get(`/api/pbx/webhooks/${subscriptionId}/deliveries`).expect(200)).body.data;
      if (deliveries[0]?.attempts.length > 0) return deliveries[0].attempts[0];
      if (Date.now() > deadline)
        throw new Error(`no attempt for webhook ${subscriptionId}: ${JSON.stringify(deliveries)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('refuses at send time a stored literal loopback target and a name that resolves to loopback: no request, no excerpt', async () => {
    await dataSource.query('UPDATE webhook_subscriptions SET active = false');
    receiver.respond('/literal', { status: 200, body: 'internal service answer' });
    receiver.respond('/named', { status: 200, body: 'internal service answer' });
    const literal = await storedSubscription(receiver.url('/literal'));
    // `localhost` cannot be created any more; the worker resolves it for real (127.0.0.1 / ::1)
    const named = await storedSubscription(receiver.url('/named').replace('127.0.0.1', 'localhost'));
    worker = await startTestWorker(STRICT);
    await emitHangup();

    expect(await firstAttempt(literal)).toMatchObject({
      response_status: null,
      response_body: null,
      error: expect.stringMatching(/^target is a forbidden address/),
    });
    expect(await firstAttempt(named)).toMatchObject({
      response_status: null,
      response_body: null,
      error: expect.stringMatching(/^target resolves to a forbidden address/),
    });
    expect(receiver.requests).toEqual([]);
  });
});
