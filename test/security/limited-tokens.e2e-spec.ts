import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from '../harness/api';
import { phonePassword } from '../harness/phone-password';
import { SipPeer, waitUntil } from '../harness/sip-peer';
import { startTestWorker } from '../harness/worker';

interface Limits {
  extensions?: string[];
  trunk_ids?: number[];
  max_concurrent_calls?: number;
}

/**
 * Limited `calls` tokens (SPEC §5) over HTTP, on the real API, database and Asterisk: a limited
 * token cannot reach beyond its extensions and trunks, nor hold more live calls than allowed,
 * and reads show it only its own share.
 */
describe('limited calls tokens', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let db: Client;
  let allowed: { id: number; name: string };
  let other: { id: number; name: string };
  let agentA: string;
  let agentB: string;

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startTestWorker();
    peer = await SipPeer.connect(api.context);
    peer.setDefaultBehavior({ kind: 'ring' }); // agent legs ring and stay live until hung up
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    const trunk = async (name: string) =>
      (
        await api
          .post('/api/pbx/trunks', {
            name: `${name}-${uniqueNumber()}`,
            host: api.context.peer.carrierAddress,
            port: api.context.peer.carrierPort,
          })
          .expect(201)
      ).body.data;
    allowed = await trunk('allowed');
    other = await trunk('other');
    [agentA, agentB] = [await agent(), await agent()];
  });

  afterAll(async () => {
    await peer?.hangupAll();
    await peer?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  async function agent(): Promise<string> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    const created = await api.post('/api/pbx/extensions', { number, password }).expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    await waitUntil(
      async () => (await api.get(`/api/pbx/extensions/${created.body.data.id}`)).body.data.registered === true,
      5_000,
      'registered',
    );
    return number;
  }

  const newToken = async (limits: Limits): Promise<{ id: number; token: string }> =>
    (await api.post('/api/pbx/tokens', { name: `limited-${uniqueNumber()}`, scopes: ['calls'], ...limits }).expect(201))
      .body.data;
  const clickToCall = (body: Record<string, unknown>, token: string) =>
    api.post('/api/pbx/calls/click-to-call', body, token);
  const callCount = async () => Number((await db.query('SELECT count(*) AS n FROM calls')).rows[0].n);
  const statusOf = async (uuid: string) =>
    (await db.query('SELECT status FROM calls WHERE call_uuid = $1', [uuid])).rows[0].status as string;
  /** hangs up every phone and waits for the calls to be ended by the worker */
  const endAll = async (uuids: string[]) => {
    await peer.hangupAll();
    await waitUntil(
      async () => (await Promise.all(uuids.map(statusOf))).every((s) => s === 'ended'),
      20_000,
      'calls to end',
    );
  };
  const fieldsOf = (body: { error: { details: Array<{ field: string }> } }) => body.error.details.map((d) => d.field);

  describe('creating a limited token', () => {
    it('stores the limits, returns them in the token views (null = unlimited)', async () => {
      const created = await api
        .post('/api/pbx/tokens', {
          name: 'crm-a',
          scopes: ['calls'],
          extensions: [agentA],
          trunk_ids: [allowed.id],
          max_concurrent_calls: 3,
        })
        .expect(201);
      expect(created.body.data).toMatchObject({
        extensions: [agentA],
        trunk_ids: [allowed.id],
        max_concurrent_calls: 3,
      });
      const plain = (await api.post('/api/pbx/tokens', { name: 'crm-b', scopes: ['calls'] }).expect(201)).body.data;
      expect(plain).toMatchObject({ extensions: null, trunk_ids: null, max_concurrent_calls: null });
      const listed = (await api.get('/api/pbx/tokens').expect(200)).body.data.find(
        (t: { id: number }) => t.id === created.body.data.id,
      );
      expect(listed).toMatchObject({ extensions: [agentA], trunk_ids: [allowed.id], max_concurrent_calls: 3 });
      expect(listed.token).toBeUndefined();
    });

    it.each([
      ['extensions', { extensions: ['12'] }],
      ['extensions', { extensions: ['1001', '1001'] }],
      ['extensions', { extensions: [] }],
      ['extensions', { extensions: Array.from({ length: 1001 }, (_, i) => String(100000 + i)) }],
      ['trunk_ids', { trunk_ids: [0] }],
      ['trunk_ids', { trunk_ids: ['1'] }],
      ['trunk_ids', { trunk_ids: Array.from({ length: 101 }, (_, i) => i + 1) }],
      ['max_concurrent_calls', { max_concurrent_calls: 0 }],
      ['max_concurrent_calls', { max_concurrent_calls: 10_001 }],
      ['max_concurrent_calls', { max_concurrent_calls: 1.5 }],
    ])('a bad %s is 422 naming it', async (field, limits) => {
      const response = await api.post('/api/pbx/tokens', { name: 'bad', scopes: ['calls'], ...limits }).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
      expect(fieldsOf(response.body)).toContain(field);
    });

    it('an admin token cannot be limited: 422 naming the field, nothing stored', async () => {
      const before = Number((await db.query('SELECT count(*) AS n FROM api_tokens')).rows[0].n);
      for (const [field, limits] of [
        ['extensions', { extensions: [agentA] }],
        ['trunk_ids', { trunk_ids: [allowed.id] }],
        ['max_concurrent_calls', { max_concurrent_calls: 1 }],
      ] as const) {
        const response = await api
          .post('/api/pbx/tokens', { name: 'admin-limited', scopes: ['admin', 'calls'], ...limits })
          .expect(422);
        expect(response.body.error.details).toEqual([{ field, message: expect.stringMatching(/admin/) }]);
      }
      expect(Number((await db.query('SELECT count(*) AS n FROM api_tokens')).rows[0].n)).toBe(before);
    });
  });

  it('click-to-call from another extension or through another trunk is 403 naming the field, and places nothing', async () => {
    const { token } = await newToken({ extensions: [agentA], trunk_ids: [allowed.id] });
    const before = await callCount();
    const reached = peer.calls.length;
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ from_extension: agentB, trunk_id: allowed.id }, 'from_extension'],
      [{ from_extension: agentA, trunk_id: other.id }, 'trunk_id'],
      [{ from_extension: agentA, trunk_name: other.name }, 'trunk_name'],
    ];
    for (const [body, field] of refusals) {
      const response = await clickToCall({ to_phone: `09${uniqueNumber()}`, ...body }, token).expect(403);
      expect(response.body.error).toEqual({
        code: 'forbidden',
        message: expect.any(String),
        details: [{ field, message: expect.any(String) }],
      });
    }
    expect(await callCount()).toBe(before);
    expect(peer.calls.length).toBe(reached);

    // the same token within its limits is accepted: the refusals above were the limits, not the calls
    const accepted = (
      await clickToCall(
        { from_extension: agentA, to_phone: `09${uniqueNumber()}`, trunk_name: allowed.name },
        token,
      ).expect(202)
    ).body.data;
    await peer.waitForCall((c) => c.exten === `phone-${agentA}` && !c.ended, 15_000);
    await endAll([accepted.call_uuid]);
  });

  it('without an explicit trunk, the route plan keeps only the allowed trunks; a route with none is 422 to_phone', async () => {
    const { token } = await newToken({ trunk_ids: [allowed.id] });
    const mixed = `05${String(Math.floor(Math.random() * 90) + 10)}`;
    const foreign = `04${String(Math.floor(Math.random() * 90) + 10)}`;
    await api
      .post('/api/pbx/routes', { name: `mixed-${mixed}`, pattern: mixed, trunk_ids: [other.id, allowed.id] })
      .expect(201);
    await api
      .post('/api/pbx/routes', { name: `foreign-${foreign}`, pattern: foreign, trunk_ids: [other.id] })
      .expect(201);

    const accepted = (
      await clickToCall({ from_extension: agentA, to_phone: `${mixed}${uniqueNumber()}` }, token).expect(202)
    ).body.data;
    expect(accepted).toMatchObject({ routing_mode: 'dialplan_default', trunk_id: null });
    const plan = (await db.query('SELECT route_plan FROM calls WHERE call_uuid = $1', [accepted.call_uuid])).rows[0]
      .route_plan;
    expect(plan.map((step: { trunkId: number }) => step.trunkId)).toEqual([allowed.id]);

    const before = await callCount();
    const refused = await clickToCall(
      { from_extension: agentA, to_phone: `${foreign}${uniqueNumber()}` },
      token,
    ).expect(422);
    expect(fieldsOf(refused.body)).toEqual(['to_phone']);
    expect(await callCount()).toBe(before);
    await endAll([accepted.call_uuid]);
  });

  it('parallel requests never exceed max_concurrent_calls; once the calls end a new one is accepted', async () => {
    const { id, token } = await newToken({ max_concurrent_calls: 2 });
    const body = () => ({ from_extension: agentA, to_phone: `09${uniqueNumber()}`, trunk_id: allowed.id });
    // Worst-case interleaving, made certain rather than left to timing: the test holds a lock that
    // lets reads of calls through but stops inserts into it, until all six requests wait on a lock
    // (the first at the insert, the others, when the limit is taken right, behind its token lock).
    // Counting without that token lock, all six would count 0 and insert on release.
    const gate = new Client({ connectionString: api.context.databaseUrl });
    await gate.connect();
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE calls IN SHARE ROW EXCLUSIVE MODE');
    const pending = Promise.all(Array.from({ length: 6 }, () => clickToCall(body(), token).then((r) => r)));
    const waiting = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows[0].n as number;
    await waitUntil(async () => (await waiting()) >= 6, 15_000, 'the six requests to wait at the calls table').finally(
      async () => {
        await gate.query('COMMIT');
        await gate.end();
      },
    );
    const answers = await pending;
    const accepted = answers.filter((r) => r.status === 202).map((r) => r.body.data.call_uuid as string);
    const refused = answers.filter((r) => r.status !== 202);
    expect(accepted).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const response of refused) {
      expect(response.status).toBe(409);
      expect(response.body.error).toEqual({
        code: 'concurrent_call_limit',
        message: expect.any(String),
        details: { max_concurrent_calls: 2 },
      });
    }
    // the two calls really ring the agent and stay live
    await waitUntil(
      async () => (await Promise.all(accepted.map(statusOf))).every((s) => s === 'ringing'),
      15_000,
      'both calls ringing',
    );
    const live = await db.query(`SELECT count(*)::int AS n FROM calls WHERE token_id = $1 AND status <> 'ended'`, [id]);
    expect(live.rows[0].n).toBe(2);
    expect((await clickToCall(body(), token).expect(409)).body.error.code).toBe('concurrent_call_limit');

    await endAll(accepted);
    const again = (await clickToCall(body(), token).expect(202)).body.data;
    await waitUntil(async () => (await statusOf(again.call_uuid)) === 'ringing', 15_000, 'the new call ringing');
    await endAll([again.call_uuid]);
  }, 90_000);

  it('GET /calls/:uuid of a call outside the limits is 404, as an unknown call', async () => {
    const { token } = await newToken({ extensions: [agentA], trunk_ids: [allowed.id] });
    const insert = async (fromExtension: string, trunkId: number | null, plan: number[]) => {
      const uuid = randomUUID();
      await db.query(
        `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, trunk_id, routing_mode, route_plan, ended_at)
         VALUES ($1, 'ended', $2, $3, $4, '0900000000', $4, $5, $6, $7, now())`,
        [
          uuid,
          randomUUID(),
          randomUUID(),
          fromExtension,
          trunkId,
          trunkId ? 'direct_gateway' : 'dialplan_default',
          JSON.stringify(plan.map((t) => ({ trunkId: t, trunkName: 'x', dial: '0900000000' }))),
        ],
      );
      return uuid;
    };
    const own = await insert(agentA, allowed.id, [allowed.id]);
    const ownByRoute = await insert(agentA, null, [allowed.id]);
    const hidden = [
      await insert(agentB, allowed.id, [allowed.id]),
      await insert(agentA, other.id, [other.id]),
      await insert(agentA, null, [allowed.id, other.id]),
    ];

    await api.get(`/api/pbx/calls/${own}`, token).expect(200);
    await api.get(`/api/pbx/calls/${ownByRoute}`, token).expect(200);
    const unknown = (await api.get(`/api/pbx/calls/${randomUUID()}`, token).expect(404)).body.error;
    for (const uuid of hidden) {
      const response = await api.get(`/api/pbx/calls/${uuid}`, token).expect(404);
      expect(response.body.error.code).toBe(unknown.code);
      await api.get(`/api/pbx/calls/${uuid}`).expect(200); // the admin token sees it
    }
  });

  it('GET /cdrs lists only the rows of the token extensions and trunks, with keyset paging intact', async () => {
    const mine = uniqueNumber();
    const notMine = uniqueNumber();
    const { token } = await newToken({ extensions: [mine], trunk_ids: [allowed.id] });
    const base = Date.parse('2026-04-01T00:00:00Z');
    const rows: Array<[string, number | null]> = [
      ...Array.from({ length: 5 }, () => [mine, allowed.id] as [string, number]),
      ...Array.from({ length: 3 }, () => [mine, other.id] as [string, number]),
      ...Array.from({ length: 3 }, () => [notMine, allowed.id] as [string, number]),
      [mine, null], // the customer was never dialed: no trunk carried it
    ];
    for (const [i, [extension, trunkId]] of rows.entries()) {
      const started = new Date(base + i * 60_000);
      await db.query(
        `INSERT INTO cdrs (call_uuid, from_extension, extension, from_number, to_phone, to_number, caller_id, trunk_id, routing_mode, started_at, ended_at, duration, billsec, disposition, a_leg_uuid)
         VALUES ($1, $2, $2, $2, '0911111111', '0911111111', $2, $3, 'direct_gateway', $4, $4, 0, 0, 'NO ANSWER', $5)`,
        [randomUUID(), extension, trunkId, started, randomUUID()],
      );
    }
    const seen: Array<{ from_extension: string; trunk_id: number | null; started_at: string }> = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = {
        limit: '2',
        from: new Date(base).toISOString(),
        ...(cursor ? { cursor } : {}),
      };
      const page = await api.get(`/api/pbx/cdrs?${new URLSearchParams(query)}`, token).expect(200);
      seen.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(seen.every((c) => c.from_extension === mine && (c.trunk_id === null || c.trunk_id === allowed.id))).toBe(
      true,
    );
    expect(new Set(seen.map((c) => c.started_at)).size).toBe(6);

    const asked = await api.get(`/api/pbx/cdrs?${new URLSearchParams({ extension: notMine })}`, token).expect(200);
    expect(asked.body.data).toEqual([]);
    const admin = await api.get(`/api/pbx/cdrs?${new URLSearchParams({ extension: notMine })}`).expect(200);
    expect(admin.body.data).toHaveLength(3);
  });
});
