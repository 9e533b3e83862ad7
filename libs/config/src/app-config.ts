/** The whole runtime configuration, validated once at boot. Nothing else reads process.env. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
  readonly databaseUrl: string;
  readonly adminToken?: string;
  readonly sip: { readonly host: string; readonly port: number; readonly realm: string };
  readonly ari: { readonly url: string; readonly username: string; readonly password: string; readonly app: string };
  readonly ami: { readonly host: string; readonly port: number; readonly username: string; readonly password: string };
  readonly calls: { readonly agentRingTimeoutSeconds: number; readonly customerRingTimeoutSeconds: number; readonly trunkResponseTimeoutSeconds: number };
  readonly redisUrl?: string;
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
  /** the worker's /metrics port (0 = off) */
  readonly workerMetricsPort: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/pbx';

/** Just the database URL, for commands (migrations) that need nothing else. */
export function databaseUrlFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
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
  // strictly 'true' or 'false': a typo such as 'yes' must not silently open private networks
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
  if (!['error', 'warn', 'log', 'debug'].includes(logLevel)) problems.push('LOG_LEVEL must be error, warn, log or debug');
  const adminToken = env.PBX_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < 16) problems.push('PBX_ADMIN_TOKEN must be at least 16 characters');
  const redisUrl = env.REDIS_URL?.trim() ? url('REDIS_URL', '', ['redis:', 'rediss:']) : undefined;

  const config: AppConfig = {
    nodeEnv: str('NODE_ENV', 'development'),
    port: int('PORT', 3000),
    host: str('HOST', '127.0.0.1'),
    logLevel: logLevel as AppConfig['logLevel'],
    databaseUrl: url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']),
    adminToken,
    sip: { host: str('SIP_HOST', '127.0.0.1'), port: int('SIP_PORT', 5060), realm: str('SIP_REALM', 'pbx') },
    ari: {
      url: url('ARI_URL', 'http://127.0.0.1:8088', ['http:', 'https:']),
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
    },
    redisUrl,
    workerMetricsPort: int('WORKER_METRICS_PORT', 3001, 0),
    webhooks: {
      concurrency: int('WEBHOOK_CONCURRENCY', 16, 1, 256),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      pollIntervalMs: int('WEBHOOK_POLL_INTERVAL_MS', 1_000, 10, 60_000),
      backoffBaseMs: int('WEBHOOK_BACKOFF_BASE_MS', 5_000, 1, 3_600_000),
      backoffCapMs: int('WEBHOOK_BACKOFF_CAP_MS', 3_600_000, 1, 86_400_000),
      retryWindowMs: int('WEBHOOK_RETRY_WINDOW_MS', 86_400_000, 1_000, 7 * 86_400_000),
      allowPrivateNetworks: bool('WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    },
  };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.ari.app)) problems.push('ARI_APP must be 1-64 letters, digits, _ or -');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(config.sip.realm)) problems.push('SIP_REALM must be 1-64 letters, digits, ., _ or -');
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
