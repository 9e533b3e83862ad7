import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';

/** The admin API as an integrator sees it: status codes, error bodies, and what lands in the database. */
describe('admin API', () => {
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
  const token = async (scopes: string[]) =>
    (await api.post('/api/pbx/tokens', { name: `t-${scopes.join('-')}`, scopes }).expect(201)).body.data
      .token as string;

  describe('authentication and scopes', () => {
    it('refuses a missing or unknown token with 401 and a stable body', async () => {
      const missing = await api.http().get('/api/pbx/extensions').expect(401);
      expect(missing.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: null } });
      await api.get('/api/pbx/extensions', 'pbx_not_a_real_token_at_all').expect(401);
      await api.http().get('/api/pbx/extensions').set('Authorization', 'Basic abc').expect(401);
    });

    it('a calls-scope token may read caller ids but not write admin resources (403)', async () => {
      const calls = await token(['calls']);
      await api.get('/api/pbx/caller-ids', calls).expect(200);
      const denied = await api
        .post('/api/pbx/extensions', { number: uniqueNumber(), password: 'correct-horse-staple' }, calls)
        .expect(403);
      expect(denied.body.error.code).toBe('forbidden');
      await api.post('/api/pbx/caller-ids', { number: '0281234567' }, calls).expect(403);
      await api.get('/api/pbx/tokens', calls).expect(403);
      await api.get('/api/pbx/trunks', calls).expect(403);
    });

    it('returns a new token once, stores only its hash, and a deleted token stops working', async () => {
      const created = await api.post('/api/pbx/tokens', { name: 'crm', scopes: ['calls', 'calls'] }).expect(201);
      const { id, token: plaintext, scopes } = created.body.data;
      expect(plaintext).toMatch(/^pbx_[A-Za-z0-9_-]{40,}$/);
      expect(scopes).toEqual(['calls']);
      const stored = await db.query('SELECT token_hash FROM api_tokens WHERE id = $1', [id]);
      expect(stored.rows[0].token_hash).not.toContain(plaintext);
      const list = await api.get('/api/pbx/tokens').expect(200);
      expect(JSON.stringify(list.body)).not.toContain(plaintext);
      expect(JSON.stringify(list.body)).not.toContain(stored.rows[0].token_hash);

      await api.get('/api/pbx/caller-ids', plaintext).expect(200);
      await api.del(`/api/pbx/tokens/${id}`).expect(204);
      await api.get('/api/pbx/caller-ids', plaintext).expect(401);
      await api.del(`/api/pbx/tokens/${id}`).expect(404);
    });

    it('the bootstrap admin token (PBX_ADMIN_TOKEN) is ensured at boot', async () => {
      const rows = await db.query("SELECT scopes FROM api_tokens WHERE name LIKE 'bootstrap admin%'");
      expect(rows.rows[0].scopes).toEqual(['admin']);
    });
  });

  describe('extensions', () => {
    it('creates, reads, updates and deletes without ever returning the password', async () => {
      const number = uniqueNumber();
      const created = await api
        .post('/api/pbx/extensions', {
          number,
          password: 'pa55word!-staple',
          display_name: 'Alice',
          outbound_caller_id: '+84281234567',
        })
        .expect(201);
      const extension = created.body.data;
      expect(extension).toMatchObject({
        number,
        display_name: 'Alice',
        outbound_caller_id: '+84281234567',
        status: 'active',
        registered: false,
      });
      expect(JSON.stringify(created.body)).not.toMatch(/pa55word|md5/);

      const patched = await api
        .patch(`/api/pbx/extensions/${extension.id}`, { display_name: 'Alice B', outbound_caller_id: null })
        .expect(200);
      expect(patched.body.data).toMatchObject({ display_name: 'Alice B', outbound_caller_id: null });

      const row = await db.query('SELECT md5_cred FROM extensions WHERE id = $1', [extension.id]);
      expect(row.rows[0].md5_cred).toMatch(/^[0-9a-f]{32}$/);

      await api.del(`/api/pbx/extensions/${extension.id}`).expect(204);
      await api.get(`/api/pbx/extensions/${extension.id}`).expect(404);
    });

    it('answers 409 for a duplicate number and 404 for unknown or malformed ids', async () => {
      const number = uniqueNumber();
      await api.post('/api/pbx/extensions', { number, password: 'correct-horse-staple' }).expect(201);
      const duplicate = await api
        .post('/api/pbx/extensions', { number, password: 'correct-horse-battery' })
        .expect(409);
      expect(duplicate.body.error).toMatchObject({ code: 'duplicate', details: [{ field: 'number' }] });
      for (const id of ['999999', 'abc', '0', '-1', '1e3', '99999999999', "1'; DROP TABLE extensions;--"]) {
        const response = await api.get(`/api/pbx/extensions/${encodeURIComponent(id)}`).expect(404);
        expect(response.body.error.code).toBe('not_found');
      }
      // not valid percent-encoding: names nothing either
      const undecodable = await api.get('/api/pbx/extensions/%E0%A4%A').expect(404);
      expect(undecodable.body.error.code).toBe('not_found');
    });

    it('a new number without a password gets a generated one, returned once (the SIP credential covers the number)', async () => {
      const created = await api
        .post('/api/pbx/extensions', { number: uniqueNumber(), password: 'correct-horse-staple' })
        .expect(201);
      expect(created.body.data).not.toHaveProperty('password');
      const before = await db.query('SELECT md5_cred FROM extensions WHERE id = $1', [created.body.data.id]);
      const number = uniqueNumber();
      const response = await api.patch(`/api/pbx/extensions/${created.body.data.id}`, { number }).expect(200);
      expect(response.body.data).toMatchObject({ number, password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
      const after = await db.query('SELECT md5_cred FROM extensions WHERE id = $1', [created.body.data.id]);
      expect(after.rows[0].md5_cred).not.toBe(before.rows[0].md5_cred);
    });
  });

  describe('trunks and caller ids', () => {
    it('creates a trunk with defaults, never returns its password, and refuses duplicates', async () => {
      const name = `carrier-${uniqueNumber()}`;
      const created = await api
        .post('/api/pbx/trunks', { name, host: '127.0.0.9', username: 'acct', password: 'trunk-secret' })
        .expect(201);
      expect(created.body.data).toMatchObject({
        name,
        host: '127.0.0.9',
        port: 5060,
        transport: 'udp',
        status: 'active',
        username: 'acct',
        has_password: true,
        inbound_addresses: ['127.0.0.9/32'],
      });
      expect(typeof created.body.data.id).toBe('number');
      expect(JSON.stringify(created.body)).not.toContain('trunk-secret');
      expect(JSON.stringify((await api.get('/api/pbx/trunks')).body)).not.toContain('trunk-secret');
      await api.post('/api/pbx/trunks', { name, host: '192.0.2.10' }).expect(409);
      const halfAuth = await api
        .post('/api/pbx/trunks', { name: `${name}-x`, host: 'example.org', username: 'only-user' })
        .expect(422);
      expect(halfAuth.body.error.details[0].field).toBe('password');
    });

    it('refuses to delete a trunk in use by a caller id (409), deletes it once free', async () => {
      const trunk = (
        await api
          .post('/api/pbx/trunks', {
            name: `in-use-${uniqueNumber()}`,
            host: 'sip.example.net',
            inbound_addresses: ['198.51.100.0/28'],
            port: 5080,
            transport: 'tcp',
          })
          .expect(201)
      ).body.data;
      const callerId = (
        await api
          .post('/api/pbx/caller-ids', { number: `028${uniqueNumber()}`, label: 'Hotline', trunk_id: trunk.id })
          .expect(201)
      ).body.data;
      expect(callerId.trunk_id).toBe(trunk.id);
      const refused = await api.del(`/api/pbx/trunks/${trunk.id}`).expect(409);
      expect(refused.body.error.code).toBe('in_use');
      await api.get(`/api/pbx/trunks/${trunk.id}`).expect(200);
      await api.del(`/api/pbx/caller-ids/${callerId.id}`).expect(204);
      await api.del(`/api/pbx/trunks/${trunk.id}`).expect(204);
      await api.get(`/api/pbx/trunks/${trunk.id}`).expect(404);
    });

    it('names trunk_id when a caller id points at a missing trunk', async () => {
      const before = await count('caller_ids');
      const response = await api.post('/api/pbx/caller-ids', { number: '0287654321', trunk_id: 987654 }).expect(422);
      expect(response.body.error.details).toEqual([{ field: 'trunk_id', message: expect.any(String) }]);
      expect(await count('caller_ids')).toBe(before);
    });

    it('exposes active trunks to Asterisk through the realtime views, identified by address without port', async () => {
      const trunk = (
        await api.post('/api/pbx/trunks', { name: `view-${uniqueNumber()}`, host: '127.0.0.9', port: 5999 }).expect(201)
      ).body.data;
      const endpoint = await db.query(
        'SELECT transport, context, aors, identify_by, trust_id_inbound FROM ps_endpoints WHERE id = $1',
        [`trunk-${trunk.id}`],
      );
      expect(endpoint.rows[0]).toEqual({
        transport: 'transport-udp',
        context: 'pbx-from-trunk',
        aors: `trunk-${trunk.id}`,
        identify_by: 'ip',
        trust_id_inbound: 'yes',
      });
      const identify = await db.query('SELECT id, match FROM ps_endpoint_id_ips WHERE endpoint = $1', [
        `trunk-${trunk.id}`,
      ]);
      expect(identify.rows).toEqual([{ id: `trunk-${trunk.id}-1`, match: '127.0.0.9/32' }]);
      await api.patch(`/api/pbx/trunks/${trunk.id}`, { status: 'disabled' }).expect(200);
      expect((await db.query('SELECT 1 FROM ps_endpoints WHERE id = $1', [`trunk-${trunk.id}`])).rowCount).toBe(0);
    });
  });

  describe('bad and hostile input: 4xx naming the field, no row written, never a 5xx', () => {
    const long = 'x'.repeat(10_000);
    const cases: Array<{ name: string; path: string; table: string; body: unknown; status: number; field?: string }> = [
      {
        name: 'number as an integer',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: 1001, password: 'correct-horse-staple' },
        status: 422,
        field: 'number',
      },
      {
        name: 'letters in number',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '10a1', password: 'correct-horse-staple' },
        status: 422,
        field: 'number',
      },
      {
        name: 'short password',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5551', password: 'short' },
        status: 422,
        field: 'password',
      },
      {
        name: 'CRLF in display_name',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5552', password: 'correct-horse-staple', display_name: 'Eve\r\nX-Injected: 1' },
        status: 422,
        field: 'display_name',
      },
      {
        name: 'quote in display_name',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5553', password: 'correct-horse-staple', display_name: 'Eve" <sip:evil>' },
        status: 422,
        field: 'display_name',
      },
      {
        name: 'oversized display_name',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5554', password: 'correct-horse-staple', display_name: long },
        status: 422,
        field: 'display_name',
      },
      {
        name: 'unknown field',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5555', password: 'correct-horse-staple', is_admin: true },
        status: 422,
        field: 'is_admin',
      },
      {
        name: 'password of 11 characters',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5560', password: 'abcdefghijk' },
        status: 422,
        field: 'password',
      },
      {
        name: 'password containing the number',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5561', password: 'long-enough-5561' },
        status: 422,
        field: 'password',
      },
      {
        name: 'null password',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5556', password: null },
        status: 422,
        field: 'password',
      },
      {
        name: 'bad status',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: { number: '5557', password: 'correct-horse-staple', status: 'root' },
        status: 422,
        field: 'status',
      },
      {
        name: 'array body',
        path: '/api/pbx/extensions',
        table: 'extensions',
        body: [{ number: '5558', password: 'correct-horse-staple' }],
        status: 422,
        field: 'body',
      },
      {
        name: 'trunk name too long',
        path: '/api/pbx/trunks',
        table: 'trunks',
        body: { name: 'n'.repeat(101), host: 'example.org' },
        status: 422,
        field: 'name',
      },
      {
        name: 'CRLF in trunk host',
        path: '/api/pbx/trunks',
        table: 'trunks',
        body: { name: 'crlf', host: 'example.org\r\nVia: x' },
        status: 422,
        field: 'host',
      },
      {
        name: 'SIP URI in host',
        path: '/api/pbx/trunks',
        table: 'trunks',
        body: { name: 'uri', host: 'sip:evil@example.org;transport=tcp' },
        status: 422,
        field: 'host',
      },
      {
        name: 'port as string',
        path: '/api/pbx/trunks',
        table: 'trunks',
        body: { name: 'port', host: 'example.org', port: '5060' },
        status: 422,
        field: 'port',
      },
      {
        name: 'port out of range',
        path: '/api/pbx/trunks',
        table: 'trunks',
        body: { name: 'port2', host: 'example.org', port: 70000 },
        status: 422,
        field: 'port',
      },
      {
        name: 'bad transport',
        path: '/api/pbx/trunks',
        table: 'trunks',
        body: { name: 'tls', host: 'example.org', transport: 'tls' },
        status: 422,
        field: 'transport',
      },
      {
        name: 'caller id with letters',
        path: '/api/pbx/caller-ids',
        table: 'caller_ids',
        body: { number: '02a8' },
        status: 422,
        field: 'number',
      },
      {
        name: 'trunk_id as string',
        path: '/api/pbx/caller-ids',
        table: 'caller_ids',
        body: { number: '0281111', trunk_id: '1' },
        status: 422,
        field: 'trunk_id',
      },
      {
        name: 'bad scope',
        path: '/api/pbx/tokens',
        table: 'api_tokens',
        body: { name: 'x', scopes: ['root'] },
        status: 422,
        field: 'scopes',
      },
      {
        name: 'empty scopes',
        path: '/api/pbx/tokens',
        table: 'api_tokens',
        body: { name: 'x', scopes: [] },
        status: 422,
        field: 'scopes',
      },
    ];

    it.each(cases)('$name → $status', async ({ path, table, body, status, field }) => {
      const before = await count(table);
      const response = await api.post(path, body).expect(status);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await count(table)).toBe(before);
    });

    it('malformed JSON is 400 invalid_json, a huge body 413, a non-JSON body 422', async () => {
      const before = await count('extensions');
      const bad = await api
        .http()
        .post('/api/pbx/extensions')
        .set('Authorization', `Bearer ${api.adminToken}`)
        .set('Content-Type', 'application/json')
        .send('{"number": "1001",')
        .expect(400);
      expect(bad.body.error.code).toBe('invalid_json');
      const huge = await api
        .post('/api/pbx/extensions', {
          number: '5559',
          password: 'correct-horse-staple',
          display_name: 'x'.repeat(200_000),
        })
        .expect(413);
      expect(huge.body.error.code).toBe('payload_too_large');
      const text = await api
        .http()
        .post('/api/pbx/extensions')
        .set('Authorization', `Bearer ${api.adminToken}`)
        .set('Content-Type', 'text/plain')
        .send('number=1001')
        .expect(422);
      expect(text.body.error.details[0].field).toBe('body');
      expect(await count('extensions')).toBe(before);
    });

    it('SQL metacharacters are data, not code', async () => {
      const name = `x'); DROP TABLE trunks; -- ${uniqueNumber()}`;
      const created = await api.post('/api/pbx/trunks', { name, host: '192.0.2.10' }).expect(201);
      expect(created.body.data.name).toBe(name);
      expect((await db.query('SELECT name FROM trunks WHERE id = $1', [created.body.data.id])).rows[0].name).toBe(name);
      await api.del(`/api/pbx/trunks/${created.body.data.id}`).expect(204);
    });

    it('unknown routes are a JSON 404', async () => {
      const response = await api.get('/api/pbx/nothing-here').expect(404);
      expect(response.body.error.code).toBe('not_found');
    });
  });

  describe('health and docs', () => {
    it('reports database, AMI and ARI up', async () => {
      const response = await api.http().get('/health').expect(200);
      expect(response.body.data).toEqual({ status: 'ok', checks: { database: 'up', ami: 'up', ari: 'up' }, down: [] });
    });

    it('serves the OpenAPI document at /docs', async () => {
      await api.http().get('/docs').expect(200);
      const document = await api.http().get('/docs/openapi.json').expect(200);
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/pbx/extensions',
          '/api/pbx/trunks/{id}',
          '/api/pbx/caller-ids',
          '/api/pbx/tokens',
          '/health',
        ]),
      );
    });
  });
});
