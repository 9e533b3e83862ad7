import { Client } from 'pg';
import { startTestApi, TestApi } from '../harness/api';
import { waitUntil } from '../harness/sip-peer';

/**
 * Least privilege in PostgreSQL (SPEC §5): what each role of the test database may do, read
 * from PostgreSQL itself (has_table_privilege, pg_roles, pg_class), then tried for real by
 * logging in as the role, and who the running API and Asterisk are logged in as.
 */
describe('PostgreSQL roles', () => {
  let api: TestApi;
  let admin: Client;
  const secretTables = ['api_tokens', 'webhook_subscriptions', 'trunks', 'extensions', 'calls', 'cdrs'];
  const asteriskViews = ['ps_endpoints', 'ps_auths', 'ps_aors', 'ps_endpoint_id_ips'];
  const reportingViews = ['reporting_cdrs', 'reporting_calls'];

  beforeAll(async () => {
    api = await startTestApi();
    admin = new Client({ connectionString: api.context.databaseUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await api?.close();
  });

  /** every table and view of the schema, with what `role` may do on it */
  async function privileges(role: string): Promise<Map<string, string[]>> {
    const { rows } = await admin.query<{ name: string; privilege: string }>(
      `SELECT c.relname AS name, p.privilege
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(privilege)
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
          AND has_table_privilege($1, c.oid, p.privilege)`,
      [role],
    );
    const map = new Map<string, string[]>();
    for (const { name, privilege } of rows) map.set(name, [...(map.get(name) ?? []), privilege]);
    return map;
  }

  async function as<T>(role: string, work: (client: Client) => Promise<T>): Promise<T> {
    const url = new URL(api.context.databaseUrl);
    url.username = role;
    url.password = encodeURIComponent(api.context.databasePasswords[role.replace('pbx_', '') as 'app']);
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  const denied = (client: Client, sql: string) => expect(client.query(sql)).rejects.toMatchObject({ code: '42501' });

  it('none of the roles is a superuser or may create roles or databases; passwords are stored as scram', async () => {
    const { rows } = await admin.query(
      `SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolcanlogin,
              a.rolpassword LIKE 'SCRAM-SHA-256$%' AS scram
         FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid
        WHERE r.rolname IN ('pbx_app', 'pbx_asterisk', 'pbx_reporting') ORDER BY 1`,
    );
    expect(rows).toEqual(
      ['pbx_app', 'pbx_asterisk', 'pbx_reporting'].map((rolname) => ({
        rolname,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
        rolcanlogin: true,
        scram: true,
      })),
    );
  });

  it('pbx_asterisk may read its four views and insert CEL rows, nothing else', async () => {
    const granted = Object.fromEntries(await privileges('pbx_asterisk'));
    expect(granted).toEqual({
      ...Object.fromEntries(asteriskViews.map((view) => [view, ['SELECT']])),
      cel: ['INSERT'],
    });
    await as('pbx_asterisk', async (client) => {
      expect((await client.query('SELECT id, auth_type FROM ps_auths LIMIT 1')).rowCount).toBeGreaterThanOrEqual(0);
      await client.query('BEGIN');
      await client.query(`INSERT INTO cel (eventtype, eventtime, uniqueid) VALUES ('CHAN_START', now(), 'roles-test')`);
      await client.query('ROLLBACK');
      for (const table of [...secretTables, 'cel']) await denied(client, `SELECT * FROM ${table} LIMIT 1`);
      await denied(client, `UPDATE cel SET extra = 'x'`);
      await denied(client, 'CREATE TABLE stray (id int)');
    });
  });

  it('pbx_reporting may read the reporting views only, which carry no token, header or route plan', async () => {
    expect(Object.fromEntries(await privileges('pbx_reporting'))).toEqual(
      Object.fromEntries(reportingViews.map((view) => [view, ['SELECT']])),
    );
    const { rows } = await admin.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_name = ANY($1)`,
      [reportingViews],
    );
    expect(rows.map((row) => row.column_name)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/token|headers|route_plan|password|secret/)]),
    );
    await as('pbx_reporting', async (client) => {
      await client.query('SELECT * FROM reporting_cdrs LIMIT 1');
      await client.query('SELECT * FROM reporting_calls LIMIT 1');
      for (const table of [...secretTables, 'cel', ...asteriskViews])
        await denied(client, `SELECT * FROM ${table} LIMIT 1`);
    });
  });

  it('pbx_app owns every table and view (the migrations table stays the migration role’s) and may not create roles', async () => {
    const { rows } = await admin.query(
      `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> 'migrations'
          AND pg_get_userbyid(c.relowner) <> 'pbx_app'`,
    );
    expect(rows).toEqual([]);
    expect((await privileges('pbx_app')).get('migrations') ?? []).toEqual([]);
    await as('pbx_app', async (client) => {
      await denied(client, 'CREATE ROLE stray_role');
      await denied(client, 'CREATE TABLE stray (id int)');
      await denied(client, 'SELECT * FROM migrations');
    });
  });

  it('the running API logs in as pbx_app and Asterisk as pbx_asterisk', async () => {
    await api.get('/api/pbx/extensions').expect(200);
    const database = new URL(api.context.databaseUrl).pathname.slice(1);
    const sessions = async () =>
      (
        await admin.query<{ usename: string; application_name: string }>(
          `SELECT usename, application_name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [database],
        )
      ).rows;
    // res_pgsql connects at Asterisk's start (realtime), cel_pgsql on its first event
    await waitUntil(
      async () => (await sessions()).some((s) => s.application_name.startsWith('asterisk-')),
      10_000,
      'an Asterisk session',
    );
    for (const { usename, application_name } of await sessions()) {
      if (application_name.startsWith('asterisk'))
        expect({ application_name, usename }).toMatchObject({ usename: 'pbx_asterisk' });
      else expect({ application_name, usename }).toMatchObject({ usename: 'pbx_app' });
    }
    expect((await sessions()).map((s) => s.usename)).toContain('pbx_app');
  });
});
