import fc from 'fast-check';
import {
  did,
  digits,
  Fields,
  headerValue,
  hostileString,
  nearValidBody,
  pathId,
  phone,
  queryString,
  requestBody,
  safeText,
} from '../harness/fuzz-arbitraries';
import { FACTOR, FIXTURE, FuzzFixture, Req, runProperty, runs } from '../harness/fuzz-fixture';

/**
 * Property-based fuzzing of the calls-scope routes (fast-check, fixed seed; see
 * fuzz-fixture.ts): click-to-call never accepts a call (the one extension it may name has no
 * phone) and never writes a row whatever the body and Idempotency-Key; GET /calls/:uuid,
 * GET /calls and GET /cdrs never give a 5xx for random ids and query strings.
 */

// runs per property: the four fuzz-*.fault-spec.ts files take about two minutes together on 2 cores
const RUNS = {
  clickToCall: 600,
  callsRead: 200,
  callsList: 600,
  callsCursor: 200,
  cdrs: 900,
};

describe('API fuzzing, calls routes: no 5xx, stable 4xx bodies, no call placed, no write on refusal', () => {
  const fx = new FuzzFixture('fuzz-calls');

  // click-to-call: at most ~5 requests per token, shrinking included, well under 10 a minute
  beforeAll(() => fx.start({ calls: Math.ceil(runs(RUNS.clickToCall) / 5) + 10, reader: 10 * Math.ceil(FACTOR) }));
  afterAll(() => fx.stop());

  // ---------------------------------------------------------------------------------------------
  // click-to-call: never accepted, no call row, whatever the body and headers

  it('click-to-call: hostile bodies and Idempotency-Keys are refused with a 4xx and place no call', async () => {
    const nonexistent = digits(5, 5).map((d) => `99999${d}`);
    // mostly values that exist, so that requests get as far as the database and Asterisk checks
    const fields: Fields = {
      // the one existing extension has no registered phone (checked in beforeAll): 409 at best
      from_extension: fc.oneof(
        { weight: 4, arbitrary: fc.constant(fx.fixtures.callExtension.number) },
        { weight: 1, arbitrary: nonexistent },
      ),
      to_phone: fc.oneof(
        { weight: 6, arbitrary: digits(3, 32) },
        { weight: 1, arbitrary: phone },
        { weight: 1, arbitrary: digits(33, 33) },
      ),
      caller_id: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.constantFrom(fx.fixtures.callExtension.number, fx.fixtures.callerId.number, '0289876501'),
        },
        { weight: 1, arbitrary: phone },
      ),
      trunk_id: fc.oneof(
        { weight: 4, arbitrary: fc.constant(fx.fixtures.trunk.id) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_147_483_647 }) },
      ),
      trunk_name: fc.oneof(
        { weight: 4, arbitrary: fc.constant(fx.fixtures.trunk.name) },
        { weight: 1, arbitrary: safeText(100) },
        { weight: 1, arbitrary: hostileString },
      ),
      headers: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 200 }), {
            maxKeys: 20,
          }),
        },
        { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 5 }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            { Ticket: 'T-42\r\nX-Injected: 1' },
            Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, 'v'])),
          ),
        },
      ),
      // the fixture extension does not allow it: true is 422 auto_answer_not_allowed
      auto_answer: fc.boolean(),
    };
    // trunk_id wins over trunk_name: some bodies leave it out so that trunk_name is looked up
    const { trunk_id: _trunkId, ...byName } = fields;
    const idempotencyKey = fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: headerValue },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '',
          ' ',
          'a'.repeat(255),
          'a'.repeat(256),
          'é',
          "'; DROP TABLE idempotency_keys;--",
          '%00',
        ),
      },
    );
    const requests = fc
      .tuple(
        fc.oneof(
          { weight: 1, arbitrary: requestBody(fields) },
          { weight: 1, arbitrary: nearValidBody(fields) },
          { weight: 2, arbitrary: nearValidBody(byName) },
        ),
        idempotencyKey,
      )
      .map(([body, key]): Req => ({
        method: 'POST',
        path: '/api/pbx/calls/click-to-call',
        body,
        ...(key !== undefined ? { headers: { 'Idempotency-Key': key } } : {}),
      }));
    let next = 0;
    let validated = 0;
    await runProperty(
      requests,
      async (req) => {
        // a number the fuzzer itself created as an extension is not "nonexistent": skip that run
        const named = /"from_extension"\s*:\s*"(99999[0-9]{5})"/.exec(req.body?.text ?? '');
        if (named)
          fc.pre(((await fx.db.query('SELECT 1 FROM extensions WHERE number = $1', [named[1]])).rowCount ?? 0) === 0);
        const calls = Number((await fx.db.query('SELECT count(*) AS n FROM calls')).rows[0].n);
        const answer = await fx.probe(req, fx.pools.calls[next++ % fx.pools.calls.length], { allow2xx: false });
        if (answer.status === 401 || answer.status === 403)
          throw new Error(`the calls token was refused: ${answer.status} ${answer.text}`);
        if (answer.status !== 429) validated++;
        expect(Number((await fx.db.query('SELECT count(*) AS n FROM calls')).rows[0].n)).toBe(calls);
      },
      RUNS.clickToCall,
    );
    // the pool of tokens kept the rate limit out of the way: the requests reached validation
    expect(validated).toBeGreaterThan(runs(RUNS.clickToCall) * 0.9);
    expect(Number((await fx.db.query('SELECT count(*) AS n FROM calls')).rows[0].n)).toBe(fx.callsAtStart);
    // (since this file started: the other fault specs place real calls before it)
    expect(
      Number(
        (
          await fx.db.query('SELECT count(*) AS n FROM calls WHERE created_at >= $2 AND call_uuid <> $1', [
            fx.fixtures.callUuid,
            fx.startedAt,
          ])
        ).rows[0].n,
      ),
    ).toBe(0);
  });

  it('GET /api/pbx/calls/:call_uuid: random ids are a 404, never a 5xx', async () => {
    const ids = fc.oneof(
      pathId,
      fc.uuid(),
      fc.constant(FIXTURE),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.uuid().map((u) => `${u}x`),
    );
    await runProperty(
      fc.tuple(ids, queryString({ include: fc.constant('legs') })),
      async ([id, q]) => {
        await fx.probe(
          { method: 'GET', path: `/api/pbx/calls/${id === FIXTURE ? fx.fixtures.callUuid : id}${q}` },
          fx.readerToken(),
        );
      },
      RUNS.callsRead,
    );
  });

  // ---------------------------------------------------------------------------------------------
  // GET /api/pbx/cdrs: random query strings

  /** ISO 8601 look-alikes: what the validator accepts is not always what PostgreSQL reads. */
  const isoish: fc.Arbitrary<string> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
    },
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.constantFrom('', '', '', '+', '-'),
          fc.oneof(fc.constantFrom('0000', '0001', '1969', '1970', '2026', '9999'), digits(4, 4)),
          fc.constantFrom(
            '-03-01',
            '0301',
            '-02-30',
            '-13-01',
            '-W09',
            '-W09-1',
            'W091',
            '-060',
            '060',
            '-366',
            '-03',
            '',
          ),
          fc.constantFrom(
            '',
            'T10:00',
            'T10:00:00',
            'T10:00:00.123456789',
            'T24:00',
            ' 10:00',
            'T1000',
            'T10',
            'T10:00:00,5',
          ),
          fc.constantFrom('', 'Z', '+07:00', '-0330', '+14:00', '-23:59', 'z'),
        )
        .map((parts) => parts.join('')),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'yesterday',
        'now',
        '1',
        'Tue',
        '2026-03-01T00:00:00Z\u0000',
        '2026-03-01T00:00:00Z; DROP TABLE cdrs',
      ),
    },
  );
  /** times of exactly the shape the calls cursor holds, impossible dates and hours included */
  const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
  const ownShape: fc.Arbitrary<string> = fc
    .tuple(
      fc.constantFrom('0000', '1969', '2026', '2028', '9999'),
      two(0, 13),
      two(0, 32),
      two(0, 25),
      two(0, 60),
      two(0, 61),
      digits(6, 6),
    )
    .map(([y, mo, d, h, mi, sec, us]) => `${y}-${mo}-${d}T${h}:${mi}:${sec}.${us}Z`);
  const cursor: fc.Arbitrary<string> = fc.oneof(
    fc.constant('@cursor'),
    fc
      .tuple(
        isoish,
        fc.oneof(
          digits(1, 19),
          fc.constantFrom('0', '9223372036854775807', '9223372036854775808', '9999999999999999999', '-1', ''),
        ),
      )
      .map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url')),
    // the exact shape the CDR cursor holds (milliseconds), any date
    fc
      .tuple(
        ownShape.map((at) => `${at.slice(0, 23)}Z`),
        digits(1, 19),
      )
      .map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url')),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,200}$/),
    fc.constantFrom(
      '',
      '|',
      'bm90LWEtY3Vyc29y',
      Buffer.from('|1').toString('base64url'),
      Buffer.from('2026-03-01T00:00:00Z|').toString('base64url'),
    ),
  );

  /**
   * The fixtures' values in a generated query string: placeholders are URL-encoded with the rest
   * (`@` is `%40`), so both spellings are filled in.
   */
  const fill = (q: string): string =>
    q
      .replace(/(?:@|%40)callsCursor/g, fx.fixtures.callsCursor)
      .replace(/(?:@|%40)cursor/g, fx.fixtures.cdrCursor)
      .replace(/(?:@|%40)callUuid/g, fx.fixtures.callUuid);

  const direction = fc.constantFrom(
    'click_to_call',
    'inbound',
    'outbound',
    'internal',
    'INBOUND',
    'click-to-call',
    'any',
    '',
  );
  /** a cursor of the calls list: created_at with microseconds | call uuid */
  const callsCursor: fc.Arbitrary<string> = fc.oneof(
    fc.constant('@callsCursor'),
    fc.constant('@cursor'),
    fc
      .tuple(
        fc.oneof(
          isoish,
          isoish.map((at) => at.replace(/\.\d{3}Z$/, '.123456Z')),
          ownShape,
        ),
        fc.oneof(
          fc.uuid(),
          fc.uuid().map((u) => u.toUpperCase()),
          fc.constantFrom('', '1', 'x', 'x|y'),
        ),
      )
      .map(([at, id]) => Buffer.from(`${at}|${id}`).toString('base64url')),
    cursor,
  );

  it('GET /api/pbx/calls: random query strings never give a 5xx', async () => {
    const query = queryString({
      status: fc.constantFrom('live', 'ended', 'LIVE', 'answered', 'all', ''),
      direction,
      extension: fc.oneof(digits(3, 10), fc.constant(fx.fixtures.callExtension.number)),
      phone: fc.oneof(phone, fc.constant('0987000000')),
      from: isoish,
      to: isoish,
      limit: fc.oneof(digits(1, 3), fc.constantFrom('0', '1', '500', '501', '-1', '1.5', '1e2', '010')),
      cursor: callsCursor,
    });
    await runProperty(
      query,
      async (q) => {
        const path = `/api/pbx/calls${fill(q)}`;
        await fx.probe({ method: 'GET', path }, fx.readerToken());
      },
      RUNS.callsList,
    );
  });

  it('GET /api/pbx/calls: cursors of the right shape with any date never give a 5xx', async () => {
    const query = fc
      .tuple(
        ownShape,
        fc.oneof(fc.uuid(), fc.constant('@callUuid')),
        fc.constantFrom('', '&status=live', '&status=ended', '&direction=inbound'),
      )
      .map(([at, id, more]) => `?cursor=${Buffer.from(`${at}|${id}`).toString('base64url')}${more}`);
    await runProperty(
      query,
      async (q) => {
        await fx.probe({ method: 'GET', path: `/api/pbx/calls${fill(q)}` }, fx.readerToken());
      },
      RUNS.callsCursor,
    );
  });

  it('GET /api/pbx/cdrs: random query strings never give a 5xx', async () => {
    const query = queryString({
      from: isoish,
      to: isoish,
      direction,
      extension: fc.oneof(digits(3, 10), fc.constant(fx.fixtures.callExtension.number)),
      phone,
      did,
      call_uuid: fc.oneof(
        fc.uuid(),
        fc.constant('@callUuid'),
        fc.uuid().map((u) => u.toUpperCase()),
        fc.uuid().map((u) => `${u}0`),
        fc.constantFrom('', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-fffffffffffg'),
      ),
      disposition: fc.constantFrom('ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CANCELLED', 'answered', 'MAYBE'),
      limit: fc.oneof(digits(1, 3), fc.constantFrom('0', '1', '500', '501', '-1', '1.5', '1e2', '010')),
      cursor,
    });
    await runProperty(
      query,
      async (q) => {
        const path = `/api/pbx/cdrs${fill(q)}`;
        await fx.probe({ method: 'GET', path }, fx.readerToken());
      },
      RUNS.cdrs,
    );
  });
});
