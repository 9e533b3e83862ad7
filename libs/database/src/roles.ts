import { Client } from 'pg';
import { DATABASE_ROLES, DatabaseLogins, DatabaseRole } from '@pbx/config';

/**
 * Least-privilege roles, provisioned by the privileged login (DATABASE_URL) on every migrate:
 * `ensureRoles` once per cluster, `grantRoles` per database after its migrations. Both are
 * idempotent and re-apply the whole arrangement, so a table added by a later migration is
 * handed to pbx_app by the next run, and a privilege granted by hand is taken back.
 */

/** What Asterisk reads (PJSIP realtime) and writes (cel_pgsql inserts; its column query reads the catalog). */
export const ASTERISK_SELECT = ['ps_endpoints', 'ps_auths', 'ps_aors', 'ps_endpoint_id_ips'];
export const ASTERISK_INSERT = ['cel'];
export const ASTERISK_SEQUENCES = ['cel_id_seq'];
/** What reporting reads: CDRs and calls without tokens, headers or route plans (migration ReportingViews). */
export const REPORTING_SELECT = ['reporting_cdrs', 'reporting_calls'];
/** monthly partitions of CDRs and call events (migration EventStream) */
export const PARTITIONS_SCHEMA = 'pbx_partitions';
/** kept by the migration role: pbx_app must not rewrite which migrations ran */
const NOT_OWNED_BY_APP = ['migrations'];

// roles live in the cluster, not in a database: every provisioner takes this lock in the
// `postgres` database, which they all share, so concurrent runs (parallel test databases,
// a second checkout) cannot collide on CREATE or ALTER ROLE ("tuple concurrently updated")
const ROLES_LOCK = 0x7062_7872; // 'pbxr'

/** Creates the roles if missing and sets their attributes and (given) passwords. */
export async function ensureRoles(logins: DatabaseLogins): Promise<void> {
  const url = new URL(logins.adminUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLES_LOCK]);
    for (const [role, name] of Object.entries(DATABASE_ROLES) as [DatabaseRole, string][]) {
      await client.query(`DO $$ BEGIN
          CREATE ROLE ${name} LOGIN;
        EXCEPTION WHEN duplicate_object THEN NULL;
        END $$`);
      const password = logins.passwords[role];
      // a role is shared by every database of the cluster: no password given leaves it as it is
      // (scram verifiers are computed by the server from the literal, never logged by us)
      await client.query(
        `ALTER ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT` +
          (password ? ` PASSWORD ${client.escapeLiteral(password)}` : ''),
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Hands the tables to pbx_app and grants pbx_asterisk and pbx_reporting exactly their objects. */
export async function grantRoles(databaseUrl: string): Promise<void> {
  const { app, asterisk, reporting } = DATABASE_ROLES;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`DO $$
      DECLARE r record;
      BEGIN
        FOR r IN
          SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname IN ('public', '${PARTITIONS_SCHEMA}') AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
             AND c.relname <> ALL (${literalArray(client, NOT_OWNED_BY_APP)})
             AND pg_get_userbyid(c.relowner) <> '${app}'
        LOOP
          -- owned sequences (serial columns) and indexes follow their table
          EXECUTE format('ALTER %s %I.%I OWNER TO ${app}',
            CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                           ELSE 'TABLE' END, r.nspname, r.relname);
        END LOOP;
      END $$`);
    // exactly these: revoke everything first, then grant
    for (const kind of ['TABLES', 'SEQUENCES'])
      await client.query(`REVOKE ALL ON ALL ${kind} IN SCHEMA public FROM ${asterisk}, ${reporting}`);
    // PostgreSQL before 15 lets everyone create objects in public (CVE-2018-1058): only migrations do
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC, ${app}, ${asterisk}, ${reporting}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${app}, ${asterisk}, ${reporting}`);
    // monthly partitions (CDRs, call events) are created ahead and dropped by the app itself
    await client.query(`REVOKE ALL ON SCHEMA ${PARTITIONS_SCHEMA} FROM PUBLIC, ${asterisk}, ${reporting}`);
    await client.query(`GRANT USAGE, CREATE ON SCHEMA ${PARTITIONS_SCHEMA} TO ${app}`);
    await client.query(`GRANT SELECT ON ${ASTERISK_SELECT.join(', ')} TO ${asterisk}`);
    await client.query(`GRANT INSERT ON ${ASTERISK_INSERT.join(', ')} TO ${asterisk}`);
    await client.query(`GRANT USAGE ON SEQUENCE ${ASTERISK_SEQUENCES.join(', ')} TO ${asterisk}`);
    await client.query(`GRANT SELECT ON ${REPORTING_SELECT.join(', ')} TO ${reporting}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

function literalArray(client: Client, values: string[]): string {
  return `ARRAY[${values.map((value) => client.escapeLiteral(value)).join(', ')}]::name[]`;
}
