/**
 * `node dist/scripts/config-shell.js`: what scripts/up.sh prints and waits for, from loadConfig
 * (so the scripts carry no copy of the defaults), as shell assignments for `eval`. Exits 1 with
 * the list of problems when the configuration is invalid, before anything is started.
 */
import { resolve } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from '@pbx/config';

/** Where a client on this machine reaches a server bound to `host`. */
function reachable(host: string, port: number): string {
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** The database URL without its credentials, for the log. */
function redacted(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.protocol}//${url.username || url.password ? '***@' : ''}${url.host}${url.pathname}`;
}

/** DATABASE_URL without the migration role's password: where the roles log in, for the processes up.sh starts. */
function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

function summary(config: AppConfig): Record<string, string> {
  const api = reachable(config.host, config.port);
  const { chrootDir, instance } = config.asterisk;
  return {
    PBX_API_URL: api,
    PBX_DATABASE: redacted(config.databaseLogins.adminUrl),
    PBX_DATABASE_LOCATION: withoutPassword(config.databaseLogins.adminUrl),
    PBX_SIP: `${config.asterisk.sipBind}:${config.sip.port}`,
    PBX_SIP_REALM: config.sip.realm,
    PBX_SIP_HOST: config.sip.host,
    PBX_API_METRICS:
      config.metrics.apiPort > 0
        ? `${reachable(config.metrics.host, config.metrics.apiPort)}/metrics`
        : `${api}/metrics`,
    PBX_WORKER_METRICS:
      config.workerMetricsPort > 0 ? `${reachable(config.metrics.host, config.workerMetricsPort)}/metrics` : 'off',
    PBX_METRICS_NOTE: config.metrics.token ? ', with the METRICS_TOKEN bearer token' : '',
    PBX_RECORDINGS_DIR: resolve(config.recordings.dir),
    PBX_ASTERISK_LOG: chrootDir ? `${chrootDir}/srv/pbx/${instance}/log/messages.log` : '<external>',
  };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

try {
  for (const [name, value] of Object.entries(summary(loadConfig()))) console.log(`${name}=${quote(value)}`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exit(1);
}
