import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the global setup started, shared with every test file through one environment variable. */
export interface TestContext {
  chrootDir: string;
  /** the privileged login (migrations, fixtures); the apps log in as pbx_app, Asterisk as pbx_asterisk */
  databaseUrl: string;
  /** the roles' passwords set by this run's provisioning (trust here, but set as in production) */
  databasePasswords: { app: string; asterisk: string; reporting: string };
  /** PBX_TEST_PORT_BASE: this run's ports are base to base + 4999 (see global-setup.ts) */
  portBase: number;
  sipRealm: string;
  pbx: {
    name: string;
    sipPort: number;
    amiPort: number;
    ariPort: number;
    ariPassword: string;
    amiPassword: string;
    ariApp: string;
    rtpStart: number;
    rtpEnd: number;
  };
  /** the carrier side has its own loopback address: trunks that call it point `host` there */
  peer: {
    name: string;
    sipPort: number;
    carrierAddress: string;
    carrierPort: number;
    ariPort: number;
    ariPassword: string;
  };
}

export const CONTEXT_VARIABLE = 'PBX_TEST_CONTEXT';
/** The test carrier's address: never 127.0.0.1, where the desk phones are (Linux routes all of 127/8 to lo). */
export const CARRIER_ADDRESS = '127.0.0.3';
const RUN_ID = randomBytes(6).toString('hex');
/** RECORDINGS_DIR of the apps under test (the worker creates it): never the checkout's ./var/recordings */
export const TEST_RECORDINGS_DIR = join(tmpdir(), `pbx-test-recordings-${RUN_ID}`);

export function testContext(): TestContext {
  const raw = process.env[CONTEXT_VARIABLE];
  if (!raw) throw new Error('no test context: run the end-to-end tests through jest.e2e.config.js (npm test)');
  return JSON.parse(raw) as TestContext;
}

/** The environment the API and worker see under test. */
export function testEnv(context: TestContext, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    DATABASE_URL: context.databaseUrl,
    DB_APP_PASSWORD: context.databasePasswords.app,
    DB_ASTERISK_PASSWORD: context.databasePasswords.asterisk,
    DB_REPORTING_PASSWORD: context.databasePasswords.reporting,
    SIP_PORT: String(context.pbx.sipPort),
    SIP_REALM: context.sipRealm,
    ARI_URL: `http://127.0.0.1:${context.pbx.ariPort}`,
    ARI_USERNAME: 'pbx',
    ARI_PASSWORD: context.pbx.ariPassword,
    ARI_APP: context.pbx.ariApp,
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(context.pbx.amiPort),
    AMI_USERNAME: 'pbx',
    AMI_PASSWORD: context.pbx.amiPassword,
    WORKER_METRICS_PORT: String(context.pbx.ariPort + 2),
    // tests poll calls with one admin token far faster than a CRM would; the budgets themselves
    // are tested with their defaults in test/security and throttling.e2e-spec.ts
    RATE_LIMIT_PER_TOKEN: '100000',
    // token ids restart with every fresh test database: keep one run's Redis counters from the next's
    REDIS_KEY_PREFIX: `pbx-test:${RUN_ID}:`,
    RATE_LIMIT_UNAUTHENTICATED: '100000',
    RATE_LIMIT_PUBLIC: '100000',
    // tests wait for recordings by asking their links (404 until ready); recording-link.e2e-spec.ts tests the limit
    RATE_LIMIT_RECORDING_NOT_FOUND: '100000',
    RECORDINGS_DIR: TEST_RECORDINGS_DIR,
    // the receivers under test listen on 127.0.0.1; test/security/webhook-ssrf.e2e-spec.ts turns it off
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    ...extra,
  };
}
