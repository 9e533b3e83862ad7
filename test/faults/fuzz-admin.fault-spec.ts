import fc from 'fast-check';
import { CALL_EVENT_TYPES } from '@pbx/call-events';
import {
  did,
  digits,
  Fields,
  pathId,
  phone,
  prefixList,
  queryString,
  requestBody,
  safeText,
} from '../harness/fuzz-arbitraries';
import { DELIVERY, FACTOR, FIXTURE, FuzzFixture, Req, runProperty, runs, Table } from '../harness/fuzz-fixture';

/**
 * Property-based fuzzing of the admin routes (fast-check, fixed seed; see fuzz-fixture.ts): for
 * hostile bodies, path ids, methods and queries on every family (extensions, trunks, caller ids,
 * tokens, routes, ring groups, inbound routes, webhooks), on the dial policy and on webhook
 * deliveries, an admin token never gets a 5xx, every
 * 4xx has the stable error body and a refused request changes no row of any table.
 */

// runs per property: the four fuzz-*.fault-spec.ts files take about two minutes together on 2 cores
const RUNS = {
  family: 900,
  deliveries: 450,
  dialPolicy: 450,
};

describe('API fuzzing, admin routes: no 5xx, stable 4xx bodies, no write on refusal', () => {
  const fx = new FuzzFixture('fuzz-admin');

  // ~8,000 admin requests spread over 28 tokens stay under 600 a minute each however fast they go
  beforeAll(() => fx.start({ admin: 28 * Math.ceil(FACTOR) }));
  afterAll(() => fx.stop());

  // ---------------------------------------------------------------------------------------------
  // valid-looking field values (the fuzzer mixes them with hostile ones)

  const password = (min: number) =>
    fc.oneof(
      fc.string({ minLength: min, maxLength: 40 }),
      fc.constant('p'.repeat(128)),
      fc.constant('p'.repeat(129)),
      fc.constant('pässwörd-ünïcode'),
    );
  // an extension's: at least 12 characters and no run of 3 digits, so it never holds the number
  // (3 to 10 digits) it is sent with; now and then one character short, or holding the number
  const sipPassword = fc.oneof(
    { weight: 4, arbitrary: password(12).filter((p) => !/[0-9]{3}/.test(p)) },
    fc.constant('p'.repeat(11)),
    fc.constant(`pw-${fx.fixtures.extension.number}-long-enough`),
  );
  const status = fc.constantFrom('active', 'disabled');
  const trunkIds = () =>
    fc.oneof(
      fc.constant(fx.fixtures.trunk.id),
      fc.constant(fx.fixtures.trunkB.id),
      fc.integer({ min: 1, max: 2_147_483_647 }),
    );
  const host = fc.oneof(
    fc.domain(),
    fc.ipV4(),
    fc.ipV6(),
    // never the phones' 127.0.0.1 (nor localhost): a trunk there would be taken for every phone
    fc.constantFrom(
      'localhost.invalid',
      '127.0.0.9',
      `${'a'.repeat(63)}.example`,
      `${'a'.repeat(64)}.example`,
      `${'a.'.repeat(126)}a`,
    ),
  );

  const extensionFields = (): Fields => ({
    number: digits(3, 10),
    display_name: safeText(64, 0),
    password: sipPassword,
    outbound_caller_id: fc.option(phone, { nil: null }),
    status,
    outbound: fc.constantFrom('allowed', 'denied'),
    auto_answer_allowed: fc.boolean(),
  });
  // the fixture extensions (one of them named by the fixture group and route), or any number
  const extensionNumber = () =>
    fc.oneof(fc.constant(fx.fixtures.callExtension.number), fc.constant(fx.fixtures.extension.number), digits(3, 10));
  const timeout = fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constantFrom(1, 600, 0, 601));
  const ringGroupFields = (): Fields => ({
    name: safeText(100),
    strategy: fc.constantFrom('ringall', 'sequential'),
    members: fc.oneof(fc.constant([fx.fixtures.callExtension.number]), fc.array(extensionNumber(), { maxLength: 51 })),
    member_timeout: timeout,
    ring_timeout: timeout,
  });
  const ringGroupId = () => fc.oneof(fc.constant(fx.fixtures.ringGroup.id), fc.integer({ min: 1, max: 2_147_483_647 }));
  const inboundRouteFields = (): Fields => ({
    did,
    trunk_id: fc.option(trunkIds(), { nil: null }),
    destination: fc.oneof(
      fc.record({ type: fc.constant('extension'), number: extensionNumber() }),
      fc.record({ type: fc.constant('ring_group'), id: ringGroupId() }),
      // both fields, or the other type's
      fc.record({
        type: fc.constantFrom('extension', 'ring_group', 'queue'),
        number: extensionNumber(),
        id: ringGroupId(),
      }),
    ),
    ring_timeout: timeout,
  });
  const trunkFields = (): Fields => ({
    name: safeText(100),
    host,
    port: fc.oneof(fc.integer({ min: 1, max: 65_535 }), fc.constantFrom(1, 65_535)),
    transport: fc.constantFrom('udp', 'tcp'),
    username: fc.option(fc.stringMatching(/^[A-Za-z0-9_.+~!$&'()*,;=-]{1,64}$/), { nil: null }),
    password: fc.option(password(1), { nil: null }),
    inbound_addresses: fc.array(
      fc.oneof(
        fc.ipV4().filter((a) => !a.startsWith('127.0.0.1')),
        fc.ipV4().map((a) => `${a}/24`),
        fc.constantFrom('0.0.0.0/0', '10.0.0.0/7', '::1', '127.0.0.9/33', '127.0.0.9'),
      ),
      { maxLength: 4 },
    ),
    status,
  });
  const callerIdFields = (): Fields => ({
    number: phone,
    label: safeText(100, 0),
    trunk_id: fc.option(trunkIds(), { nil: null }),
  });
  const tokenFields = (): Fields => ({
    name: safeText(100),
    scopes: fc.oneof(
      fc.subarray(['admin', 'calls'], { minLength: 1 }),
      fc.constant(['calls', 'calls']),
      fc.array(fc.constantFrom('admin', 'calls'), { maxLength: 3 }),
    ),
  });
  const routeFields = (): Fields => ({
    name: safeText(100),
    pattern: fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom('0', '1', '9', 'X'), { maxLength: 20 }))
      .map(([plus, ds]) => `${plus ? '+' : ''}${ds.join('')}`),
    trunk_ids: fc.oneof(
      fc.constant([fx.fixtures.trunk.id]),
      fc.constant([fx.fixtures.trunkB.id, fx.fixtures.trunk.id]),
      fc.array(trunkIds(), { minLength: 1, maxLength: 11 }),
    ),
    strip: fc.integer({ min: 0, max: 20 }),
    prepend: fc.tuple(fc.boolean(), digits(0, 16)).map(([plus, d]) => `${plus ? '+' : ''}${d}`),
  });
  const webhookFields = (): Fields => ({
    url: fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.constantFrom(
        'http://127.0.0.1:9/hook',
        'https://[::1]:8443/',
        'http://localhost/x',
        `https://example.com/${'a'.repeat(1_980)}`,
      ),
    ),
    events: fc.oneof(
      fc.subarray([...CALL_EVENT_TYPES], { minLength: 1 }),
      fc.array(fc.constantFrom(...CALL_EVENT_TYPES), { maxLength: 21 }),
    ),
    active: fc.boolean(),
    format: fc.constant('zorio'),
  });

  // ---------------------------------------------------------------------------------------------
  // every admin route family, admin token: no 5xx, error bodies, no write on refusal

  interface Family {
    base: string;
    table: Table;
    fixtureId: () => number;
    create?: () => Fields;
    update?: () => Fields;
    item?: boolean;
    remove?: boolean;
  }
  const families: Record<string, Family> = {
    extensions: {
      base: '/api/pbx/extensions',
      table: 'extensions',
      fixtureId: () => fx.fixtures.extension.id,
      create: extensionFields,
      update: extensionFields,
      item: true,
      remove: true,
    },
    trunks: {
      base: '/api/pbx/trunks',
      table: 'trunks',
      fixtureId: () => fx.fixtures.trunkB.id,
      create: trunkFields,
      update: trunkFields,
      item: true,
      remove: true,
    },
    'caller-ids': {
      base: '/api/pbx/caller-ids',
      table: 'caller_ids',
      fixtureId: () => fx.fixtures.callerId.id,
      create: callerIdFields,
      remove: true,
    },
    tokens: { base: '/api/pbx/tokens', table: 'api_tokens', fixtureId: () => 0, create: tokenFields, remove: true },
    routes: {
      base: '/api/pbx/routes',
      table: 'outbound_routes',
      fixtureId: () => fx.fixtures.route.id,
      create: routeFields,
      update: routeFields,
      item: true,
      remove: true,
    },
    'ring-groups': {
      base: '/api/pbx/ring-groups',
      table: 'ring_groups',
      fixtureId: () => fx.fixtures.ringGroup.id,
      create: ringGroupFields,
      update: ringGroupFields,
      item: true,
      remove: true,
    },
    'inbound-routes': {
      base: '/api/pbx/inbound-routes',
      table: 'inbound_routes',
      fixtureId: () => fx.fixtures.inboundRoute.id,
      create: inboundRouteFields,
      update: inboundRouteFields,
      item: true,
      remove: true,
    },
    webhooks: {
      base: '/api/pbx/webhooks',
      table: 'webhook_subscriptions',
      fixtureId: () => fx.fixtures.webhook.id,
      create: webhookFields,
      update: webhookFields,
      item: true,
      remove: true,
    },
  };

  /** Requests on one family: create, list (with a junk query), read, update, delete, unknown method. */
  function familyRequests(family: Family): fc.Arbitrary<Req> {
    const target = fc.oneof({ weight: 2, arbitrary: fc.constant(FIXTURE) }, { weight: 3, arbitrary: pathId });
    const ops: Array<{ weight: number; arbitrary: fc.Arbitrary<Req> }> = [];
    if (family.create)
      ops.push({
        weight: 6,
        arbitrary: requestBody(family.create()).map((body): Req => ({ method: 'POST', path: family.base, body })),
      });
    ops.push({
      weight: 1,
      arbitrary: queryString({ limit: fc.constant('10'), id: fc.constant('1') }).map((q): Req => ({
        method: 'GET',
        path: `${family.base}${q}`,
      })),
    });
    if (family.item)
      ops.push({ weight: 1, arbitrary: target.map((id): Req => ({ method: 'GET', path: `${family.base}/${id}` })) });
    if (family.update)
      ops.push({
        weight: 5,
        arbitrary: fc
          .tuple(target, requestBody(family.update()))
          .map(([id, body]): Req => ({ method: 'PATCH', path: `${family.base}/${id}`, body })),
      });
    if (family.remove)
      ops.push({ weight: 1, arbitrary: pathId.map((id): Req => ({ method: 'DELETE', path: `${family.base}/${id}` })) });
    ops.push({
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('PUT', 'OPTIONS', 'PATCH', 'DELETE', 'POST'), target, requestBody({}))
        .map(([method, id, body]): Req => ({
          method,
          path:
            method === 'PATCH' || method === 'DELETE'
              ? family.base
              : `${family.base}/${id}${method === 'POST' ? '/nothing' : ''}`,
          body,
        })),
    });
    return fc.oneof(...ops);
  }

  async function checkFamilyRequest(family: Family, generated: Req): Promise<void> {
    const req = { ...generated, path: generated.path.replace(FIXTURE, String(family.fixtureId())) };
    const segment = req.path.slice(family.base.length + 1).split(/[/?]/)[0];
    fc.pre(await fx.allowedToTouch(family.table, segment, req.method, family.fixtureId()));
    await fx.probe(req, fx.adminToken());
  }

  it.each(Object.keys(families))(
    '%s: hostile bodies, ids and methods never give a 5xx and a refusal writes nothing',
    async (name) => {
      const family = families[name];
      const before = fx.throttled();
      await runProperty(familyRequests(family), (req) => checkFamilyRequest(family, req), RUNS.family);
      // the pool of admin tokens kept the rate limit out of the way
      expect(fx.throttled() - before).toBeLessThanOrEqual(runs(RUNS.family) * 0.01);
    },
  );

  it('dial policy: hostile bodies, queries and methods never give a 5xx and a refusal writes nothing', async () => {
    const base = '/api/pbx/dial-policy';
    const requests = fc.oneof(
      {
        weight: 6,
        arbitrary: requestBody({ allowed_prefixes: prefixList, denied_prefixes: prefixList }).map((body): Req => ({
          method: 'PUT',
          path: base,
          body,
        })),
      },
      {
        weight: 1,
        arbitrary: queryString({ allowed_prefixes: digits(1, 3) }).map((q): Req => ({
          method: 'GET',
          path: `${base}${q}`,
        })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom('POST', 'PATCH', 'DELETE', 'PUT', 'GET'),
            fc.oneof(pathId, fc.constant('')),
            requestBody({}),
          )
          .map(([method, id, body]): Req => ({ method, path: id === '' ? base : `${base}/${id}`, body })),
      },
    );
    const before = fx.throttled();
    await runProperty(requests, async (req) => void (await fx.probe(req, fx.adminToken())), RUNS.dialPolicy);
    expect(fx.throttled() - before).toBeLessThanOrEqual(runs(RUNS.dialPolicy) * 0.01);
  });

  it('webhook deliveries and redeliver: hostile ids and queries never give a 5xx', async () => {
    const webhook = fc.oneof({ weight: 3, arbitrary: fc.constant(FIXTURE) }, { weight: 2, arbitrary: pathId });
    const delivery = fc.oneof({ weight: 2, arbitrary: fc.constant(DELIVERY) }, { weight: 3, arbitrary: pathId });
    const query = queryString({
      limit: fc.oneof(digits(1, 3), fc.constantFrom('0', '1', '200', '201', '-1', '1.5', '1e2', ' 5', '0x10')),
      before_id: fc.oneof(
        digits(1, 17),
        fc.constantFrom(
          '1',
          '9007199254740991',
          '9007199254740992',
          '9223372036854775807',
          '9223372036854775808',
          '-1',
          '0',
        ),
      ),
    });
    const requests = fc.oneof(
      fc
        .tuple(webhook, query)
        .map(([id, q]): Req => ({ method: 'GET', path: `/api/pbx/webhooks/${id}/deliveries${q}` })),
      fc.tuple(webhook, delivery, fc.option(requestBody({}), { nil: undefined })).map(([id, d, body]): Req => ({
        method: 'POST',
        path: `/api/pbx/webhooks/${id}/deliveries/${d}/redeliver`,
        body,
      })),
    );
    let nextDelivery = 0;
    await runProperty(
      requests,
      async (generated) => {
        const req = {
          ...generated,
          path: generated.path
            .replace(FIXTURE, String(fx.fixtures.webhook.id))
            .replace(DELIVERY, String(fx.fixtures.deliveryIds[nextDelivery++ % fx.fixtures.deliveryIds.length])),
        };
        const segment = req.path.slice('/api/pbx/webhooks/'.length).split(/[/?]/)[0];
        fc.pre(await fx.allowedToTouch('webhook_subscriptions', segment, req.method, fx.fixtures.webhook.id));
        await fx.probe(req, fx.adminToken());
      },
      RUNS.deliveries,
    );
  });
});
