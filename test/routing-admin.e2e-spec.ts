import { Client } from 'pg';
import { InboundRoutesService } from '@pbx/inbound-routes';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';

/**
 * Ring groups, inbound routes and extensions' `outbound` (SPEC §2, "Admin API") over HTTP:
 * CRUD, 4xx naming the field with nothing written, 409 `in_use` for every referrer, 409 for a
 * duplicate route, and the route the worker resolves for a call.
 */
describe('routing admin: ring groups and inbound routes', () => {
  let api: TestApi;
  let db: Client;

  beforeAll(async () => {
    api = await startTestApi();
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const fields = (body: { error: { details: Array<{ field: string }> } }) => body.error.details.map((d) => d.field);
  const extension = async (fields: Record<string, unknown> = {}) =>
    (await api.post('/api/pbx/extensions', { number: uniqueNumber(), ...fields }).expect(201)).body.data as {
      id: number;
      number: string;
    };
  const trunk = async () =>
    (await api.post('/api/pbx/trunks', { name: `rt-${uniqueNumber()}`, host: '192.0.2.10' }).expect(201)).body.data as {
      id: number;
    };
  const ringGroup = async (members: string[], fields: Record<string, unknown> = {}) =>
    (await api.post('/api/pbx/ring-groups', { name: `group-${uniqueNumber()}`, members, ...fields }).expect(201)).body
      .data as { id: number; name: string };
  const did = () => `+8428${uniqueNumber()}`;

  describe('extensions: outbound', () => {
    it('is denied by default, can be allowed on create and changed by PATCH', async () => {
      const plain = await extension();
      expect((await api.get(`/api/pbx/extensions/${plain.id}`).expect(200)).body.data.outbound).toBe('denied');
      const allowed = await extension({ outbound: 'allowed' });
      expect((await api.get(`/api/pbx/extensions/${allowed.id}`).expect(200)).body.data.outbound).toBe('allowed');
      const patched = await api.patch(`/api/pbx/extensions/${allowed.id}`, { outbound: 'denied' }).expect(200);
      expect(patched.body.data.outbound).toBe('denied');
      expect((await db.query('SELECT outbound FROM extensions WHERE id = $1', [allowed.id])).rows[0].outbound).toBe(
        'denied',
      );
      const list = (await api.get('/api/pbx/extensions').expect(200)).body.data as Array<{ outbound: string }>;
      expect(list.every((e) => e.outbound === 'allowed' || e.outbound === 'denied')).toBe(true);
    });

    it.each([['yes'], [true], [null], ['ALLOWED']])('outbound %j is 422 naming outbound', async (outbound) => {
      const before = await count('extensions');
      const refused = await api.post('/api/pbx/extensions', { number: uniqueNumber(), outbound }).expect(422);
      expect(fields(refused.body)).toEqual(['outbound']);
      expect(await count('extensions')).toBe(before);
    });
  });

  describe('ring groups', () => {
    it('creates with defaults, reads, lists, updates (members replaced, in order) and deletes', async () => {
      const [a, b, c] = [await extension(), await extension(), await extension()];
      const name = `Sales ${uniqueNumber()}`;
      const created = (await api.post('/api/pbx/ring-groups', { name, members: [b.number, a.number] }).expect(201)).body
        .data;
      expect(created).toEqual({
        id: expect.any(Number),
        name,
        strategy: 'ringall',
        members: [b.number, a.number],
        member_timeout: 15,
        ring_timeout: 30,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect((await api.get(`/api/pbx/ring-groups/${created.id}`).expect(200)).body.data).toEqual(created);
      const list = (await api.get('/api/pbx/ring-groups').expect(200)).body.data as Array<{ id: number }>;
      expect(list.map((g) => g.id)).toContain(created.id);

      const patched = await api
        .patch(`/api/pbx/ring-groups/${created.id}`, {
          strategy: 'sequential',
          members: [c.number, a.number, b.number],
          member_timeout: 10,
          ring_timeout: 45,
        })
        .expect(200);
      expect(patched.body.data).toMatchObject({
        strategy: 'sequential',
        members: [c.number, a.number, b.number],
        member_timeout: 10,
        ring_timeout: 45,
      });
      const row = await db.query('SELECT members FROM ring_groups WHERE id = $1', [created.id]);
      expect(row.rows[0].members).toEqual([c.number, a.number, b.number]);

      await api.del(`/api/pbx/ring-groups/${created.id}`).expect(204);
      await api.get(`/api/pbx/ring-groups/${created.id}`).expect(404);
      await api.del(`/api/pbx/ring-groups/${created.id}`).expect(404);
      expect((await api.get('/api/pbx/ring-groups/abc').expect(404)).body.error.code).toBe('not_found');
    });

    it('a taken name is 409 duplicate naming name', async () => {
      const { number } = await extension();
      const group = await ringGroup([number]);
      const duplicate = await api.post('/api/pbx/ring-groups', { name: group.name, members: [number] }).expect(409);
      expect(duplicate.body.error).toMatchObject({ code: 'duplicate', details: [{ field: 'name' }] });
      const other = await ringGroup([number]);
      const renamed = await api.patch(`/api/pbx/ring-groups/${other.id}`, { name: group.name }).expect(409);
      expect(renamed.body.error.code).toBe('duplicate');
    });

    describe('bad input: 422 naming the field, nothing written', () => {
      const cases: Array<[string, (n: string) => Record<string, unknown>, string]> = [
        ['a member that is no extension', (n) => ({ members: [n, '99999'] }), 'members'],
        ['a repeated member', (n) => ({ members: [n, n] }), 'members'],
        ['no members', () => ({ members: [] }), 'members'],
        ['51 members', (n) => ({ members: Array.from({ length: 51 }, (_, i) => `${n}${i}`.slice(0, 10)) }), 'members'],
        ['a member that is not a number', () => ({ members: ['abc'] }), 'members'],
        ['a member as an integer', () => ({ members: [2001] }), 'members'],
        ['members as a string', (n) => ({ members: n }), 'members'],
        ['strategy unknown', (n) => ({ members: [n], strategy: 'random' }), 'strategy'],
        ['member_timeout 0', (n) => ({ members: [n], member_timeout: 0 }), 'member_timeout'],
        ['ring_timeout 601', (n) => ({ members: [n], ring_timeout: 601 }), 'ring_timeout'],
        ['ring_timeout as string', (n) => ({ members: [n], ring_timeout: '30' }), 'ring_timeout'],
        ['ring_timeout fractional', (n) => ({ members: [n], ring_timeout: 1.5 }), 'ring_timeout'],
        ['CRLF in the name', (n) => ({ members: [n], name: 'a\r\nb' }), 'name'],
        ['an unknown field', (n) => ({ members: [n], queue: true }), 'queue'],
      ];

      it.each(cases)('%s', async (_name, body, field) => {
        const { number } = await extension();
        const before = await count('ring_groups');
        const refused = await api.post('/api/pbx/ring-groups', { name: `bad-${uniqueNumber()}`, ...body(number) });
        expect(refused.status).toBe(422);
        expect(refused.body.error.code).toBe('validation_failed');
        expect(fields(refused.body)).toContain(field);
        expect(await count('ring_groups')).toBe(before);
      });

      it('a PATCH naming a missing extension changes nothing', async () => {
        const { number } = await extension();
        const group = await ringGroup([number]);
        const refused = await api.patch(`/api/pbx/ring-groups/${group.id}`, { members: ['99998'] }).expect(422);
        expect(refused.body.error.details).toEqual([{ field: 'members', message: expect.stringContaining('99998') }]);
        expect((await api.get(`/api/pbx/ring-groups/${group.id}`)).body.data.members).toEqual([number]);
      });
    });
  });

  describe('inbound routes', () => {
    it('creates (did stored as given, defaults), reads, lists, updates and deletes', async () => {
      const { number } = await extension();
      const group = await ringGroup([number]);
      const { id: trunkId } = await trunk();
      const number1 = did();
      const created = (
        await api
          .post('/api/pbx/inbound-routes', { did: number1, destination: { type: 'extension', number } })
          .expect(201)
      ).body.data;
      expect(created).toEqual({
        id: expect.any(Number),
        did: number1,
        trunk_id: null,
        destination: { type: 'extension', number },
        ring_timeout: 30,
        record: 'never',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect((await db.query('SELECT did_norm FROM inbound_routes WHERE id = $1', [created.id])).rows[0].did_norm).toBe(
        number1.slice(1),
      );
      expect((await api.get(`/api/pbx/inbound-routes/${created.id}`).expect(200)).body.data).toEqual(created);
      expect(
        ((await api.get('/api/pbx/inbound-routes').expect(200)).body.data as Array<{ id: number }>).map((r) => r.id),
      ).toContain(created.id);

      const patched = await api
        .patch(`/api/pbx/inbound-routes/${created.id}`, {
          trunk_id: trunkId,
          destination: { type: 'ring_group', id: group.id },
          ring_timeout: 20,
          record: 'always',
        })
        .expect(200);
      expect(patched.body.data).toMatchObject({
        did: number1,
        trunk_id: trunkId,
        destination: { type: 'ring_group', id: group.id },
        ring_timeout: 20,
        record: 'always',
      });
      await api.patch(`/api/pbx/inbound-routes/${created.id}`, { record: 'sometimes' }).expect(422);
      const row = await db.query(
        'SELECT destination_extension, destination_ring_group_id FROM inbound_routes WHERE id = $1',
        [created.id],
      );
      expect(row.rows[0]).toEqual({ destination_extension: null, destination_ring_group_id: group.id });
      const anyTrunk = await api.patch(`/api/pbx/inbound-routes/${created.id}`, { trunk_id: null }).expect(200);
      expect(anyTrunk.body.data.trunk_id).toBeNull();

      await api.del(`/api/pbx/inbound-routes/${created.id}`).expect(204);
      await api.get(`/api/pbx/inbound-routes/${created.id}`).expect(404);
    });

    it('one route per DID (one leading + ignored) and trunk: a duplicate is 409 naming did', async () => {
      const { number } = await extension();
      const { id: trunkId } = await trunk();
      const destination = { type: 'extension', number };
      const plus = did();
      const bare = plus.slice(1);
      await api.post('/api/pbx/inbound-routes', { did: plus, destination }).expect(201);
      const before = await count('inbound_routes');
      const duplicate = await api.post('/api/pbx/inbound-routes', { did: bare, destination }).expect(409);
      expect(duplicate.body.error).toMatchObject({ code: 'duplicate', details: [{ field: 'did' }] });
      expect(await count('inbound_routes')).toBe(before);
      // the same DID on a trunk is another route; twice on that trunk is not
      const onTrunk = (
        await api.post('/api/pbx/inbound-routes', { did: bare, trunk_id: trunkId, destination }).expect(201)
      ).body.data;
      await api.post('/api/pbx/inbound-routes', { did: plus, trunk_id: trunkId, destination }).expect(409);
      // moving it onto the any-trunk route's key is refused too, and changes nothing
      const moved = await api.patch(`/api/pbx/inbound-routes/${onTrunk.id}`, { trunk_id: null }).expect(409);
      expect(moved.body.error.code).toBe('duplicate');
      expect((await api.get(`/api/pbx/inbound-routes/${onTrunk.id}`)).body.data.trunk_id).toBe(trunkId);
    });

    it("'' (any number) once per trunk, and once for any trunk", async () => {
      const { number } = await extension();
      const { id: trunkId } = await trunk();
      const destination = { type: 'extension', number };
      await api.post('/api/pbx/inbound-routes', { did: '', trunk_id: trunkId, destination }).expect(201);
      await api.post('/api/pbx/inbound-routes', { did: '', trunk_id: trunkId, destination }).expect(409);
    });

    describe('bad input: 422 naming the field, nothing written', () => {
      const cases: Array<[string, (x: { number: string; group: number }) => Record<string, unknown>, string]> = [
        ['did with letters', () => ({ did: '84abc' }), 'did'],
        ['did a lone +', () => ({ did: '+' }), 'did'],
        ['did with two +', () => ({ did: '++8428' }), 'did'],
        ['did of 33 digits', () => ({ did: '1'.repeat(33) }), 'did'],
        ['did as an integer', () => ({ did: 842812345 }), 'did'],
        ['did left out', () => ({ did: undefined }), 'did'],
        ['no destination', () => ({ destination: undefined }), 'destination'],
        ['destination a string', () => ({ destination: 'extension' }), 'destination'],
        ['destination an array', (x) => ({ destination: [{ type: 'extension', number: x.number }] }), 'destination'],
        ['destination type unknown', (x) => ({ destination: { type: 'queue', number: x.number } }), 'destination.type'],
        ['extension without number', () => ({ destination: { type: 'extension' } }), 'destination.number'],
        [
          'extension with an id',
          (x) => ({ destination: { type: 'extension', number: x.number, id: 1 } }),
          'destination.id',
        ],
        [
          'ring group with a number',
          (x) => ({ destination: { type: 'ring_group', id: x.group, number: x.number } }),
          'destination.number',
        ],
        ['ring group without id', () => ({ destination: { type: 'ring_group' } }), 'destination.id'],
        [
          'ring group id as string',
          (x) => ({ destination: { type: 'ring_group', id: String(x.group) } }),
          'destination.id',
        ],
        [
          'an unknown destination field',
          (x) => ({ destination: { type: 'extension', number: x.number, x: 1 } }),
          'destination.x',
        ],
        ['a missing extension', () => ({ destination: { type: 'extension', number: '99997' } }), 'destination.number'],
        ['a missing ring group', () => ({ destination: { type: 'ring_group', id: 999999 } }), 'destination.id'],
        ['a missing trunk', () => ({ trunk_id: 999999 }), 'trunk_id'],
        ['trunk_id 0', () => ({ trunk_id: 0 }), 'trunk_id'],
        ['ring_timeout 0', () => ({ ring_timeout: 0 }), 'ring_timeout'],
        ['ring_timeout 601', () => ({ ring_timeout: 601 }), 'ring_timeout'],
        ['an unknown field', () => ({ priority: 1 }), 'priority'],
      ];

      it.each(cases)('%s', async (_name, override, field) => {
        const { number } = await extension();
        const group = await ringGroup([number]);
        const before = await count('inbound_routes');
        const body = JSON.parse(
          JSON.stringify({
            did: did(),
            destination: { type: 'extension', number },
            ...override({ number, group: group.id }),
          }),
        );
        const refused = await api.post('/api/pbx/inbound-routes', body);
        expect(refused.status).toBe(422);
        expect(refused.body.error.code).toBe('validation_failed');
        expect(fields(refused.body)).toContain(field);
        expect(await count('inbound_routes')).toBe(before);
      });
    });
  });

  describe('409 in_use: what a ring group or route names cannot be deleted or renumbered', () => {
    it('an extension in a ring group: delete and renumber are 409 naming the group; free once it leaves', async () => {
      const a = await extension();
      const b = await extension();
      const group = await ringGroup([a.number, b.number]);
      const refused = await api.del(`/api/pbx/extensions/${a.id}`).expect(409);
      expect(refused.body.error).toEqual({
        code: 'in_use',
        message: expect.stringContaining(group.name),
        details: [{ type: 'ring_group', id: group.id, name: group.name }],
      });
      const renumber = await api.patch(`/api/pbx/extensions/${a.id}`, { number: uniqueNumber() }).expect(409);
      expect(renumber.body.error).toMatchObject({ code: 'in_use', details: [{ type: 'ring_group', id: group.id }] });
      expect((await api.get(`/api/pbx/extensions/${a.id}`).expect(200)).body.data.number).toBe(a.number);
      // other changes, and a PATCH with the same number, are fine
      await api.patch(`/api/pbx/extensions/${a.id}`, { number: a.number, display_name: 'Still here' }).expect(200);

      await api.patch(`/api/pbx/ring-groups/${group.id}`, { members: [b.number] }).expect(200);
      await api.del(`/api/pbx/extensions/${a.id}`).expect(204);
    });

    it('an extension an inbound route rings, and in two groups: every referrer is named', async () => {
      const target = await extension();
      const g1 = await ringGroup([target.number]);
      const g2 = await ringGroup([target.number]);
      const route = (
        await api
          .post('/api/pbx/inbound-routes', { did: did(), destination: { type: 'extension', number: target.number } })
          .expect(201)
      ).body.data;
      const refused = await api.del(`/api/pbx/extensions/${target.id}`).expect(409);
      expect(refused.body.error.details).toEqual([
        { type: 'ring_group', id: g1.id, name: g1.name },
        { type: 'ring_group', id: g2.id, name: g2.name },
        { type: 'inbound_route', id: route.id, name: route.did },
      ]);
      await api.del(`/api/pbx/inbound-routes/${route.id}`).expect(204);
      await api.del(`/api/pbx/ring-groups/${g1.id}`).expect(204);
      await api.del(`/api/pbx/ring-groups/${g2.id}`).expect(204);
      await api.patch(`/api/pbx/extensions/${target.id}`, { number: uniqueNumber() }).expect(200);
      await api.del(`/api/pbx/extensions/${target.id}`).expect(204);
    });

    it('a ring group a route sends calls to: delete is 409 naming the route', async () => {
      const { number } = await extension();
      const group = await ringGroup([number]);
      const { id: trunkId } = await trunk();
      const route = (
        await api
          .post('/api/pbx/inbound-routes', {
            did: '',
            trunk_id: trunkId,
            destination: { type: 'ring_group', id: group.id },
          })
          .expect(201)
      ).body.data;
      const refused = await api.del(`/api/pbx/ring-groups/${group.id}`).expect(409);
      expect(refused.body.error).toMatchObject({
        code: 'in_use',
        details: [{ type: 'inbound_route', id: route.id, name: `any number on trunk ${trunkId}` }],
      });
      await api.get(`/api/pbx/ring-groups/${group.id}`).expect(200);
      await api
        .patch(`/api/pbx/inbound-routes/${route.id}`, { destination: { type: 'extension', number } })
        .expect(200);
      await api.del(`/api/pbx/ring-groups/${group.id}`).expect(204);
    });

    it('a trunk an inbound route is limited to: delete is 409', async () => {
      const { number } = await extension();
      const { id: trunkId } = await trunk();
      const route = (
        await api
          .post('/api/pbx/inbound-routes', {
            did: did(),
            trunk_id: trunkId,
            destination: { type: 'extension', number },
          })
          .expect(201)
      ).body.data;
      const refused = await api.del(`/api/pbx/trunks/${trunkId}`).expect(409);
      expect(refused.body.error).toMatchObject({ code: 'in_use', details: { inbound_routes: 1 } });
      await api.del(`/api/pbx/inbound-routes/${route.id}`).expect(204);
      await api.del(`/api/pbx/trunks/${trunkId}`).expect(204);
    });
  });

  describe('resolve: the route the worker takes for a call', () => {
    it('follows the precedence, strips one +, and bounds a ring group by the smaller ring_timeout', async () => {
      const routes = api.app.get(InboundRoutesService);
      const [a, b] = [await extension(), await extension()];
      const group = await ringGroup([a.number, b.number], {
        strategy: 'sequential',
        member_timeout: 7,
        ring_timeout: 25,
      });
      const t1 = await trunk();
      const t2 = await trunk();
      const number = did();
      const post = async (body: Record<string, unknown>) =>
        (await api.post('/api/pbx/inbound-routes', body).expect(201)).body.data as { id: number };
      const anyAny = await post({ did: '', destination: { type: 'extension', number: b.number } });
      const anyOnT1 = await post({ did: '', trunk_id: t1.id, destination: { type: 'extension', number: a.number } });
      const didAny = await post({
        did: number.slice(1),
        destination: { type: 'ring_group', id: group.id },
        ring_timeout: 60,
      });
      const didOnT1 = await post({
        did: number,
        trunk_id: t1.id,
        destination: { type: 'ring_group', id: group.id },
        ring_timeout: 12,
      });

      expect(await routes.resolve(number, t1.id)).toEqual({
        routeId: didOnT1.id,
        ringTimeout: 12,
        record: false,
        destination: {
          type: 'ring_group',
          id: group.id,
          name: group.name,
          strategy: 'sequential',
          members: [a.number, b.number],
          memberTimeout: 7,
          ringTimeout: 25,
        },
      });
      // the DID on any trunk, the group's 25 s below the route's 60
      expect(await routes.resolve(number.slice(1), t2.id)).toMatchObject({ routeId: didAny.id, ringTimeout: 25 });
      expect(await routes.resolve(`+${number}`, t2.id)).toMatchObject({ routeId: anyAny.id });
      expect(await routes.resolve('0000', t1.id)).toEqual({
        routeId: anyOnT1.id,
        ringTimeout: 30,
        record: false,
        destination: { type: 'extension', number: a.number },
      });
      expect(await routes.resolve('0000', t2.id)).toMatchObject({ routeId: anyAny.id });

      for (const route of [anyAny, anyOnT1, didAny, didOnT1]) await api.del(`/api/pbx/inbound-routes/${route.id}`);
      expect(await routes.resolve(number, t1.id)).toBeNull();
    });
  });
});
