import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import { AsteriskInstance } from '../../asterisk/local/asterisk-instance';
import { pbxAsterisk } from '../../asterisk/local/pbx-asterisk';
import { loadConfig } from '../../libs/config/src/app-config';
import { migrate } from '../../libs/database/src/migrate';
import { CARRIER_ADDRESS, CONTEXT_VARIABLE, TestContext, testEnv } from './test-context';

const secret = () => randomBytes(16).toString('hex');

/**
 * Starts what every end-to-end test shares: a fresh database, the PBX's Asterisk and the SIP
 * test peer (a second Asterisk), on ports of their own so tests can run beside `npm run up`.
 */
export default async function globalSetup(): Promise<void> {
  const { context, instances } = await startTestEnvironment({
    base: Number(process.env.PBX_TEST_PORT_BASE ?? 15000),
    dbName: process.env.TEST_DATABASE_NAME ?? 'pbx_test',
  });
  (globalThis as Record<string, unknown>).__pbxTestAsterisks = instances;
  process.env[CONTEXT_VARIABLE] = JSON.stringify(context);
}

/**
 * Fresh database + the PBX's Asterisk + the SIP test peer; also used by the benchmarks. Ports
 * from `base` to `base + 4999`: these services under `base + 200`, `base + 200` to `base + 999`
 * for tests that start an Asterisk of their own (test/asterisk-entrypoint.e2e-spec.ts), then
 * 2000 RTP ports (1000 calls) for each Asterisk.
 */
export async function startTestEnvironment(options: {
  base: number;
  dbName: string;
}): Promise<{ context: TestContext; instances: AsteriskInstance[] }> {
  const { base, dbName } = options;
  const chrootDir = execFileSync('bash', [path.resolve(__dirname, '../../asterisk/chroot.sh')], {
    encoding: 'utf8',
  }).trim();
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const databaseUrl = `${adminUrl.replace(/\/[^/]*$/, '')}/${dbName}`;
  // the roles are the cluster's: this run sets their passwords, as `npm run up` does
  const databasePasswords = { app: secret(), asterisk: secret(), reporting: secret() };
  await recreateDatabase(adminUrl, dbName);
  await migrate(databaseUrl, undefined, databasePasswords);

  const context: TestContext = {
    chrootDir,
    databaseUrl,
    databasePasswords,
    portBase: base,
    sipRealm: 'pbx-test',
    pbx: {
      name: `test-pbx-${base}`,
      sipPort: base + 60,
      amiPort: base + 38,
      ariPort: base + 88,
      ariPassword: secret(),
      amiPassword: secret(),
      ariApp: 'pbx-test',
      rtpStart: base + 1000,
      rtpEnd: base + 2999,
    },
    // ari-client keeps REST credentials in a process-wide registry (swagger-client's global
    // authorizations), so the peer, driven from this same process, shares the PBX's ARI login
    peer: {
      name: `test-peer-${base}`,
      sipPort: base + 160,
      carrierPort: base + 170,
      carrierAddress: CARRIER_ADDRESS,
      ariPort: base + 188,
      ariPassword: '',
    },
  };
  context.peer.ariPassword = context.pbx.ariPassword;
  const pbx = pbxInstanceOf(context);
  const peer = new AsteriskInstance({
    name: context.peer.name,
    role: 'peer',
    chrootDir,
    vars: {
      SIP_PORT: context.peer.sipPort,
      CARRIER_PORT: context.peer.carrierPort,
      CARRIER_BIND: context.peer.carrierAddress,
      PBX_SIP_PORT: context.pbx.sipPort,
      ARI_PORT: context.peer.ariPort,
      ARI_USERNAME: 'pbx',
      ARI_PASSWORD: context.peer.ariPassword,
      ARI_APP: 'peer',
      AMI_PORT: base + 138,
      AMI_USERNAME: 'peer',
      AMI_PASSWORD: secret(),
      RTP_START: base + 3000,
      RTP_END: base + 4999,
    },
  });
  await Promise.all([pbx.start(), peer.start()]);
  return { context, instances: [pbx, peer] };
}

/**
 * The PBX's Asterisk of a running test environment (also to kill and start it again), configured
 * by loadConfig from the environment the API and worker under test get, as `npm run up` does.
 */
export function pbxInstanceOf(context: TestContext): AsteriskInstance {
  const config = loadConfig(
    testEnv(context, {
      ASTERISK_INSTANCE: context.pbx.name,
      SIP_BIND: '127.0.0.1',
      RTP_START: String(context.pbx.rtpStart),
      RTP_END: String(context.pbx.rtpEnd),
      RING_TIMEOUT: '20',
    }),
  );
  return pbxAsterisk(config, { chrootDir: context.chrootDir });
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad test database name ${name}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
