import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';

/**
 * The dial policy (SPEC §2) over HTTP: GET/PUT with its validation, and click-to-call refused
 * with 422 `destination_denied` naming to_phone, with nothing written, when the policy refuses
 * the number asked for or the string a route would send to the trunk.
 */
describe('dial policy', () => {
  let api: TestApi;
  let db: Client;
  let trunkId: number;
  let agent: string;
  let saved: { allowed_prefixes: string[]; denied_prefixes: string[] };

  beforeAll(async () => {
    api = await startTestApi();
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    saved = (await api.get('/api/pbx/dial-policy').expect(200)).body.data;
    trunkId = (await api.post('/api/pbx/trunks', { name: `dp-${uniqueNumber()}`, host: '192.0.2.10' }).expect(201)).body
      .data.id;
    // no phone registers: a call the policy lets through stops at 409 extension_offline instead
    agent = uniqueNumber();
    await api.post('/api/pbx/extensions', { number: agent }).expect(201);
  });

  afterAll(async () => {
    // later test files share the database: leave the policy as it was found
    if (saved) await put({ allowed_prefixes: saved.allowed_prefixes, denied_prefixes: saved.denied_prefixes });
    await db?.end();
    await api?.close();
  });

  const put = (body: unknown) =>
    api
      .http()
      .put('/api/pbx/dial-policy')
      .set('Authorization', `Bearer ${api.adminToken}`)
      .send(body as object);
  const policyRow = async () =>
    (await db.query('SELECT allowed_prefixes, denied_prefixes FROM dial_policy')).rows as Array<{
      allowed_prefixes: string[];
      denied_prefixes: string[];
    }>;
  const written = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*) FROM calls)::int AS calls, (SELECT count(*) FROM call_legs)::int AS legs,
                (SELECT count(*) FROM idempotency_keys)::int AS keys`,
      )
    ).rows[0] as { calls: number; legs: number; keys: number };
  /** the answer's status and body (a new token each: click-to-call has a small budget per token) */
  const clickToCall = async (body: Record<string, unknown>) => {
    const token = await api.newToken(['calls']);
    return api
      .post('/api/pbx/calls/click-to-call', { from_extension: agent, ...body }, token)
      .set('Idempotency-Key', `dp-${uniqueNumber()}`);
  };

  describe('GET and PUT', () => {
    it('starts empty (national allowed, international denied) and PUT replaces both lists', async () => {
      await put({ allowed_prefixes: [], denied_prefixes: [] }).expect(200);
      expect((await api.get('/api/pbx/dial-policy').expect(200)).body.data).toEqual({
        allowed_prefixes: [],
        denied_prefixes: [],
        updated_at: expect.any(String),
      });
      const stored = await put({ allowed_prefixes: ['84', '1'], denied_prefixes: ['1900'] }).expect(200);
      expect(stored.body.data).toMatchObject({ allowed_prefixes: ['84', '1'], denied_prefixes: ['1900'] });
      expect((await api.get('/api/pbx/dial-policy').expect(200)).body.data).toEqual(stored.body.data);
      expect(await policyRow()).toEqual([{ allowed_prefixes: ['84', '1'], denied_prefixes: ['1900'] }]);
      await put({ allowed_prefixes: ['84'], denied_prefixes: [] }).expect(200);
      expect(await policyRow()).toEqual([{ allowed_prefixes: ['84'], denied_prefixes: [] }]);
    });

    it('takes 500 prefixes of 15 digits in each list', async () => {
      const many = Array.from({ length: 500 }, (_, i) => String(100_000_000_000_000 + i));
      await put({ allowed_prefixes: many, denied_prefixes: many.map((p) => `9${p.slice(1)}`) }).expect(200);
      const row = (await policyRow())[0];
      expect([row.allowed_prefixes.length, row.denied_prefixes.length]).toEqual([500, 500]);
    });

    it('needs the admin scope', async () => {
      const calls = await api.newToken(['calls']);
      await api.get('/api/pbx/dial-policy', calls).expect(403);
      await api.http().put('/api/pbx/dial-policy').set('Authorization', `Bearer ${calls}`).send({}).expect(403);
      await api.http().get('/api/pbx/dial-policy').expect(401);
    });

    const long = Array.from({ length: 501 }, (_, i) => String(1000 + i));
    it.each([
      ['a prefix with +', { allowed_prefixes: ['+84'], denied_prefixes: [] }, 'allowed_prefixes'],
      ['a prefix with 00', { allowed_prefixes: [], denied_prefixes: ['00x'] }, 'denied_prefixes'],
      ['a 16-digit prefix', { allowed_prefixes: ['1'.repeat(16)], denied_prefixes: [] }, 'allowed_prefixes'],
      ['an empty prefix', { allowed_prefixes: [''], denied_prefixes: [] }, 'allowed_prefixes'],
      ['a prefix as a number', { allowed_prefixes: [84], denied_prefixes: [] }, 'allowed_prefixes'],
      ['a repeated prefix', { allowed_prefixes: ['84', '84'], denied_prefixes: [] }, 'allowed_prefixes'],
      ['501 prefixes', { allowed_prefixes: [], denied_prefixes: long }, 'denied_prefixes'],
      ['a list as a string', { allowed_prefixes: '84', denied_prefixes: [] }, 'allowed_prefixes'],
      ['a list left out', { allowed_prefixes: ['84'] }, 'denied_prefixes'],
      ['null', { allowed_prefixes: null, denied_prefixes: [] }, 'allowed_prefixes'],
      ['an unknown field', { allowed_prefixes: [], denied_prefixes: [], default: 'allow' }, 'default'],
    ])('%s is 422 naming the field, the policy unchanged', async (_name, body, field) => {
      await put({ allowed_prefixes: ['84'], denied_prefixes: ['1900'] }).expect(200);
      const before = await policyRow();
      const refused = await put(body).expect(422);
      expect(refused.body.error.code).toBe('validation_failed');
      expect(refused.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await policyRow()).toEqual(before);
    });
  });

  describe('click-to-call', () => {
    const refusedFor = async (body: Record<string, unknown>, reason: RegExp) => {
      const before = await written();
      const refused = await clickToCall(body);
      expect(refused.status).toBe(422);
      expect(refused.body.error).toEqual({
        code: 'destination_denied',
        message: expect.any(String),
        details: [{ field: 'to_phone', message: expect.stringMatching(reason) }],
      });
      expect(await written()).toEqual(before);
    };
    const passes = async (body: Record<string, unknown>) => {
      const answer = await clickToCall(body);
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('extension_offline');
    };

    it('an international number with no allowed prefix is refused, nothing written; allowed once its prefix is', async () => {
      await put({ allowed_prefixes: [], denied_prefixes: [] }).expect(200);
      await refusedFor({ to_phone: '+84987654321', trunk_id: trunkId }, /international/);
      await refusedFor({ to_phone: '0084987654321', trunk_id: trunkId }, /international/);
      await passes({ to_phone: '0987654321', trunk_id: trunkId });
      // the API that took the PUT applies it at once
      await put({ allowed_prefixes: ['84'], denied_prefixes: [] }).expect(200);
      await passes({ to_phone: '+84987654321', trunk_id: trunkId });
      await passes({ to_phone: '0084987654321', trunk_id: trunkId });
      await refusedFor({ to_phone: '+85512345678', trunk_id: trunkId }, /international/);
    });

    it('a denied prefix refuses national numbers; the longest prefix decides, a tie denies', async () => {
      await put({ allowed_prefixes: ['19001234', '84'], denied_prefixes: ['1900', '8498'] }).expect(200);
      await refusedFor({ to_phone: '19005555', trunk_id: trunkId }, /denied prefix 1900/);
      await passes({ to_phone: '19001234567', trunk_id: trunkId });
      await refusedFor({ to_phone: '+84987654321', trunk_id: trunkId }, /denied prefix 8498/);
      await passes({ to_phone: '+84287654321', trunk_id: trunkId });
      await put({ allowed_prefixes: ['09'], denied_prefixes: ['09'] }).expect(200);
      await refusedFor({ to_phone: '0987654321', trunk_id: trunkId }, /denied prefix 09/);
    });

    it("the route's final dial string is checked too: a + prepended makes a national number international", async () => {
      const prefix = `06${String(Math.floor(Math.random() * 90) + 10)}`;
      const route = (
        await api
          .post('/api/pbx/routes', {
            name: `dp-${prefix}`,
            pattern: prefix,
            trunk_ids: [trunkId],
            strip: 1,
            prepend: '+84',
          })
          .expect(201)
      ).body.data;
      try {
        const to = `${prefix}${uniqueNumber()}`;
        await put({ allowed_prefixes: [], denied_prefixes: [] }).expect(200);
        // the number asked for is national, the string sent to the trunk is not
        await refusedFor({ to_phone: to }, new RegExp(`dial string \\+84${to.slice(1)} is international`));
        await put({ allowed_prefixes: ['84'], denied_prefixes: [] }).expect(200);
        await passes({ to_phone: to });
        // a denied prefix on the final string alone refuses
        await put({ allowed_prefixes: ['84'], denied_prefixes: [`84${prefix.slice(1)}`] }).expect(200);
        await refusedFor({ to_phone: to }, /dial string .* matches the denied prefix/);
        // and on the number asked for alone
        await put({ allowed_prefixes: ['84'], denied_prefixes: [prefix] }).expect(200);
        await refusedFor({ to_phone: to }, /the number .* matches the denied prefix/);
      } finally {
        await api.del(`/api/pbx/routes/${route.id}`).expect(204);
      }
    });

    it('a refusal is checked before the phone: no call, leg or idempotency row whatever else the request holds', async () => {
      await put({ allowed_prefixes: [], denied_prefixes: [] }).expect(200);
      await refusedFor(
        { to_phone: '+12125551234', trunk_id: trunkId, caller_id: agent, headers: { Ticket: 'T-1' } },
        /international/,
      );
    });
  });
});
