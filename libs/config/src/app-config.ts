import { isIP } from 'node:net';
import { DatabaseLogins, databaseLoginsFrom, roleUrl } from './database-logins';

/** The whole runtime configuration, validated once at boot. Nothing else reads process.env. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** JSON lines (default), or `pretty` for a human at a terminal */
  readonly logFormat: 'json' | 'pretty';
  /** the apps' login: pbx_app on DATABASE_URL's database (see database-logins.ts) */
  readonly databaseUrl: string;
  /** DATABASE_URL (the privileged login, for migrations only) and every role's password */
  readonly databaseLogins: DatabaseLogins;
  /** the apps' PostgreSQL pool: size, and how long a request may wait for a connection before 503 */
  readonly databasePool: { readonly max: number; readonly acquireTimeoutMs: number };
  readonly adminToken?: string;
  readonly sip: { readonly host: string; readonly port: number; readonly realm: string };
  readonly ari: { readonly url: string; readonly username: string; readonly password: string; readonly app: string };
  readonly ami: { readonly host: string; readonly port: number; readonly username: string; readonly password: string };
  readonly calls: {
    readonly agentRingTimeoutSeconds: number;
    readonly customerRingTimeoutSeconds: number;
    readonly trunkResponseTimeoutSeconds: number;
    /** every leg's TIMEOUT(absolute): Asterisk ends it then, even with the worker and database down */
    readonly maxCallSeconds: number;
    /** how often the worker reconciles its calls with Asterisk's channels */
    readonly reconcileIntervalMs: number;
  };
  /** how often the worker re-reads the extensions to watch their live state (a backstop: the API NOTIFYs changes) */
  readonly extensionStateSyncMs: number;
  readonly redisUrl?: string;
  /** namespace of this deployment's keys in Redis (token ids are per database, so per database by default) */
  readonly redisKeyPrefix: string;
  readonly http: {
    /** CIDRs of proxies whose X-Forwarded-For is believed; empty = the socket's address is the client */
    readonly trustProxy: readonly string[];
    /** per token and minute, across every route but click-to-call (which has the contract's 10) */
    readonly tokenLimit: number;
    /** per client address and minute: requests without a valid token (missing, malformed, unknown) */
    readonly unauthenticatedLimit: number;
    /** per client address and minute: /health and /metrics */
    readonly publicLimit: number;
    /** per client address and minute: recording links answered 404 (successes do not count) */
    readonly recordingNotFoundLimit: number;
    readonly docsEnabled: boolean;
  };
  readonly metrics: {
    /** when set, /metrics needs `Authorization: Bearer <token>` */
    readonly token?: string;
    /** where the worker's, and the API's own (apiPort > 0), metrics servers listen */
    readonly host: string;
    /** the API's /metrics on its own server (0 = on the API's port) */
    readonly apiPort: number;
  };
  readonly webhooks: {
    readonly concurrency: number;
    readonly timeoutMs: number;
    readonly pollIntervalMs: number;
    readonly backoffBaseMs: number;
    readonly backoffCapMs: number;
    readonly retryWindowMs: number;
    /** on-premises CRMs, tests, local runs: skip the SSRF rule on webhook targets */
    readonly allowPrivateNetworks: boolean;
  };
  /** SIP brute-force bans: failures within `windowSeconds` from one address ban it for `seconds` */
  readonly sipBans: {
    readonly afterFailures: number;
    readonly seconds: number;
    readonly windowSeconds: number;
    /** CIDRs never banned (besides trunk hosts) */
    readonly exempt: readonly string[];
  };
  /**
   * The real-time stream, GET /api/pbx/events (SPEC section 3): open streams per token and API
   * process (one more is 429), bytes waiting for one client past which it is closed with 1013,
   * the ping interval (a client silent for two is dropped).
   */
  readonly stream: { readonly maxPerToken: number; readonly bufferBytes: number; readonly pingIntervalMs: number };
  /** the worker's /metrics port (0 = off) */
  readonly workerMetricsPort: number;
  /** Call recordings (SPEC section 3): MP3 files behind permanent public links */
  readonly recordings: {
    /** where the worker writes `<token>.mp3` and the API reads it (created by the worker at boot) */
    readonly dir: string;
    /** absolute http(s) URL the links start with: `${publicBaseUrl}/recordings/<token>.mp3` */
    readonly publicBaseUrl: string;
    /** files and links of recordings older than this many days are deleted (0 = kept forever) */
    readonly retentionDays: number;
    /** the MP3 encoder the worker runs (Debian's lame) */
    readonly encoder: string;
  };
  /**
   * Bounded growth (SPEC section 5): what the worker's hourly retention job deletes. 0 keeps
   * forever. Events are kept at least a day (the stream resumes from any event of the last 24 h)
   * and while any webhook delivery of theirs is pending.
   */
  readonly retention: {
    /** ended calls (with their legs, events and commands) this many days after they ended */
    readonly callsDays: number;
    /** stored events (call and extension events) this many days after they occurred */
    readonly eventsDays: number;
    /** finished webhook deliveries (succeeded, failed, skipped), with their attempts, after they finished */
    readonly webhookDeliveriesDays: number;
    /** CDR months wholly older than this many months are dropped (billing records: 0 by default) */
    readonly cdrMonths: number;
  };
  /**
   * The Asterisk this project runs (the local chroot one of `npm run up`, the Docker image):
   * what asterisk/render.sh writes into its configuration besides sip, ari, ami and calls.
   * Unused with an Asterisk of your own (ASTERISK_EXTERNAL=1).
   */
  readonly asterisk: {
    /** instance name: its files live in <chroot>/srv/pbx/<instance> */
    readonly instance: string;
    /** the IPv4 address PJSIP binds, UDP and TCP, on sip.port */
    readonly sipBind: string;
    /** the port of Asterisk's HTTP server (ARI): ARI_URL's, so Asterisk listens where the apps connect */
    readonly ariPort: number;
    /** UDP ports for media, two per call */
    readonly rtpStart: number;
    readonly rtpEnd: number;
    /** the cached Debian sid chroot (asterisk/chroot.sh sets it for the scripts) */
    readonly chrootDir?: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Just the privileged database URL (DATABASE_URL), for commands (migrations) that need nothing else. */
export function databaseUrlFrom(env: NodeJS.ProcessEnv = process.env): string {
  return databaseLoginsFrom(env).adminUrl;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string => {
    const value = env[name]?.trim();
    if (value) return value;
    if (fallback === undefined) problems.push(`${name} is required`);
    return fallback ?? '';
  };
  const int = (name: string, fallback: number, min = 1, max = 65535): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return value;
  };
  // strictly 'true' or 'false': a typo such as 'yes' must not silently open private networks or docs
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${name} must be true or false`);
    return fallback;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const value = str(name, fallback);
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')}`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return value;
  };

  const logLevel = str('LOG_LEVEL', 'log');
  if (!['error', 'warn', 'log', 'debug'].includes(logLevel))
    problems.push('LOG_LEVEL must be error, warn, log or debug');
  const logFormat = str('LOG_FORMAT', 'json');
  if (!['json', 'pretty'].includes(logFormat)) problems.push('LOG_FORMAT must be json or pretty');
  const adminToken = env.PBX_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < 16)
    problems.push('PBX_ADMIN_TOKEN must be at least 16 characters');
  if (adminToken !== undefined && !/^[A-Za-z0-9_\-.~+/=]{16,200}$/.test(adminToken))
    problems.push('PBX_ADMIN_TOKEN may only use letters, digits and _-.~+/= (at most 200)');
  const redisUrl = env.REDIS_URL?.trim() ? url('REDIS_URL', '', ['redis:', 'rediss:']) : undefined;
  const trustProxy = (env.TRUST_PROXY?.trim() ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && entry !== 'false' && entry !== 'off');
  for (const entry of trustProxy)
    if (!isCidr(entry)) problems.push(`TRUST_PROXY: ${entry.slice(0, 60)} is not an IP address or CIDR`);
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,200}$/.test(metricsToken))
    problems.push('METRICS_TOKEN must be 16-200 visible ASCII characters');
  const sipBanExempt = (env.SIP_BAN_EXEMPT?.trim() || '127.0.0.1/32')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of sipBanExempt)
    if (!isCidr(entry)) problems.push(`SIP_BAN_EXEMPT: ${entry.slice(0, 60)} is not an IP address or CIDR`);
  const ariUrl = url('ARI_URL', 'http://127.0.0.1:8088', ['http:', 'https:']);
  const chrootDir = env.ASTERISK_CHROOT?.trim() || undefined;
  const databaseLogins = databaseLoginsFrom(env, problems);
  let databaseUrl = databaseLogins.adminUrl;
  try {
    databaseUrl = roleUrl(databaseLogins, 'app');
  } catch {
    // DATABASE_URL is invalid: already a problem
  }
  if (chrootDir !== undefined && !chrootDir.startsWith('/')) problems.push('ASTERISK_CHROOT must be an absolute path');

  const config: AppConfig = {
    nodeEnv: str('NODE_ENV', 'development'),
    port: int('PORT', 3000),
    host: str('HOST', '127.0.0.1'),
    logLevel: logLevel as AppConfig['logLevel'],
    logFormat: logFormat as AppConfig['logFormat'],
    databaseUrl,
    databaseLogins,
    databasePool: {
      max: int('DB_POOL_SIZE', 10, 1, 1000),
      acquireTimeoutMs: int('DB_POOL_ACQUIRE_TIMEOUT_MS', 2_000, 50, 60_000),
    },
    adminToken,
    sip: { host: str('SIP_HOST', '127.0.0.1'), port: int('SIP_PORT', 5060), realm: str('SIP_REALM', 'pbx') },
    ari: {
      url: ariUrl,
      username: str('ARI_USERNAME', 'pbx'),
      password: str('ARI_PASSWORD'),
      app: str('ARI_APP', 'pbx'),
    },
    ami: {
      host: str('AMI_HOST', '127.0.0.1'),
      port: int('AMI_PORT', 5038),
      username: str('AMI_USERNAME', 'pbx'),
      password: str('AMI_PASSWORD'),
    },
    calls: {
      agentRingTimeoutSeconds: int('RING_TIMEOUT', 30, 5, 300),
      customerRingTimeoutSeconds: int('CUSTOMER_RING_TIMEOUT', 60, 5, 600),
      // a carrier that has not even rung after this long is treated as unreachable (next trunk)
      trunkResponseTimeoutSeconds: int('TRUNK_RESPONSE_TIMEOUT', 8, 1, 60),
      maxCallSeconds: int('MAX_CALL_SECONDS', 4 * 3600, 5, 7 * 24 * 3600),
      reconcileIntervalMs: int('RECONCILE_INTERVAL_MS', 30_000, 200, 3_600_000),
    },
    extensionStateSyncMs: int('EXTENSION_STATE_SYNC_MS', 30_000, 200, 3_600_000),
    redisUrl,
    redisKeyPrefix: str('REDIS_KEY_PREFIX', `pbx:${databaseNameOf(databaseUrlFrom(env))}:`),
    http: {
      trustProxy,
      tokenLimit: int('RATE_LIMIT_PER_TOKEN', 600, 1, 1_000_000),
      unauthenticatedLimit: int('RATE_LIMIT_UNAUTHENTICATED', 60, 1, 1_000_000),
      publicLimit: int('RATE_LIMIT_PUBLIC', 600, 1, 1_000_000),
      recordingNotFoundLimit: int('RATE_LIMIT_RECORDING_NOT_FOUND', 30, 1, 1_000_000),
      docsEnabled: bool('DOCS_ENABLED', true),
    },
    metrics: { token: metricsToken, host: str('METRICS_HOST', '127.0.0.1'), apiPort: int('API_METRICS_PORT', 0, 0) },
    workerMetricsPort: int('WORKER_METRICS_PORT', 3001, 0),
    stream: {
      maxPerToken: int('STREAM_MAX_PER_TOKEN', 20, 1, 100_000),
      bufferBytes: int('STREAM_BUFFER_BYTES', 1_048_576, 4_096, 1_073_741_824),
      pingIntervalMs: int('STREAM_PING_INTERVAL_MS', 15_000, 100, 3_600_000),
    },
    recordings: {
      dir: str('RECORDINGS_DIR', './var/recordings'),
      publicBaseUrl: publicBaseUrl(url('PUBLIC_BASE_URL', 'http://127.0.0.1:3000', ['http:', 'https:']), problems),
      retentionDays: int('RECORDINGS_RETENTION_DAYS', 90, 0, 36_500),
      encoder: str('RECORDINGS_ENCODER', 'lame'),
    },
    retention: {
      callsDays: int('CALLS_RETENTION_DAYS', 0, 0, 36_500),
      eventsDays: int('EVENTS_RETENTION_DAYS', 30, 0, 36_500),
      webhookDeliveriesDays: int('WEBHOOK_DELIVERIES_RETENTION_DAYS', 30, 0, 36_500),
      cdrMonths: int('CDR_RETENTION_MONTHS', 0, 0, 1_200),
    },
    sipBans: {
      afterFailures: int('SIP_BAN_AFTER_FAILURES', 10, 1, 10_000),
      seconds: int('SIP_BAN_SECONDS', 3600, 1, 365 * 86_400),
      windowSeconds: 600,
      exempt: sipBanExempt,
    },
    webhooks: {
      concurrency: int('WEBHOOK_CONCURRENCY', 16, 1, 256),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      pollIntervalMs: int('WEBHOOK_POLL_INTERVAL_MS', 1_000, 10, 60_000),
      backoffBaseMs: int('WEBHOOK_BACKOFF_BASE_MS', 5_000, 1, 3_600_000),
      backoffCapMs: int('WEBHOOK_BACKOFF_CAP_MS', 3_600_000, 1, 86_400_000),
      retryWindowMs: int('WEBHOOK_RETRY_WINDOW_MS', 86_400_000, 1_000, 7 * 86_400_000),
      allowPrivateNetworks: bool('WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    },
    asterisk: {
      instance: str('ASTERISK_INSTANCE', 'pbx'),
      sipBind: str('SIP_BIND', '127.0.0.1'),
      ariPort: portOf(ariUrl, 8088),
      rtpStart: int('RTP_START', 10000),
      rtpEnd: int('RTP_END', 10999),
      chrootDir,
    },
  };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.ari.app)) problems.push('ARI_APP must be 1-64 letters, digits, _ or -');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(config.sip.realm))
    problems.push('SIP_REALM must be 1-64 letters, digits, ., _ or -');
  if (!/^[a-z0-9-]{1,40}$/.test(config.asterisk.instance))
    problems.push('ASTERISK_INSTANCE must be 1-40 lower-case letters, digits or -');
  if (isIP(config.asterisk.sipBind) !== 4) problems.push('SIP_BIND must be an IPv4 address');
  if (config.asterisk.rtpStart > config.asterisk.rtpEnd) problems.push('RTP_START must not be greater than RTP_END');
  const { callsDays, eventsDays } = config.retention;
  if (callsDays > 0 && (eventsDays === 0 || callsDays < eventsDays))
    problems.push(
      'CALLS_RETENTION_DAYS must be 0 or at least EVENTS_RETENTION_DAYS, which must not be 0 then (a deleted call takes its events along)',
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/**
 * What an environment without settings gives, the secrets left empty: the one copy of the
 * defaults, for what must agree with them (webhook options, asterisk/defaults.env for the
 * Docker image, docker-compose.yml's fallbacks).
 */
export function configDefaults(): AppConfig {
  const config = loadConfig({ ARI_PASSWORD: '-', AMI_PASSWORD: '-' });
  return deepFreeze({ ...config, ari: { ...config.ari, password: '' }, ami: { ...config.ami, password: '' } });
}

/** The links' base: no credentials, query or fragment (they would end up inside every link); no trailing slash. */
function publicBaseUrl(value: string, problems: string[]): string {
  try {
    const parsed = new URL(value);
    if (parsed.username || parsed.password || parsed.search || parsed.hash)
      problems.push('PUBLIC_BASE_URL must not carry credentials, a query or a fragment');
  } catch {
    // not a URL: already a problem
  }
  return value.replace(/\/+$/, '');
}

function portOf(url: string, fallback: number): number {
  try {
    const parsed = new URL(url);
    return Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
  } catch {
    return fallback;
  }
}

function databaseNameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || 'pbx';
  } catch {
    return 'pbx';
  }
}

function isCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^[0-9]{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
