import * as fs from 'node:fs';
import * as path from 'node:path';
import { configDefaults } from '@pbx/config';
import { asteriskDefaults, defaultsEnvText } from './defaults-env';

const ROOT = path.resolve(__dirname, '..', '..');

describe('defaults of the Docker path', () => {
  it('asterisk/defaults.env is what loadConfig gives without settings (regenerate: see defaults-env.ts)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'asterisk', 'defaults.env'), 'utf8')).toBe(defaultsEnvText());
    expect(asteriskDefaults()).toMatchObject({
      SIP_PORT: '5060',
      ARI_PORT: '8088',
      RTP_START: '10000',
      RTP_END: '10999',
      DB_NAME: 'pbx',
      DB_USER: 'pbx_asterisk',
    });
    expect(Object.keys(asteriskDefaults())).not.toEqual(expect.arrayContaining(['AMI_PASSWORD']));
  });

  it("docker-compose.yml's fallbacks are loadConfig's defaults", () => {
    const defaults = configDefaults();
    const expected: Record<string, string> = {
      ...asteriskDefaults(),
      PORT: String(defaults.port),
      HOST: defaults.host,
      LOG_LEVEL: defaults.logLevel,
      SIP_HOST: defaults.sip.host,
      ARI_URL: defaults.ari.url,
      AMI_HOST: defaults.ami.host,
      // deliberately not loadConfig's 127.0.0.1: in a container SIP must listen beyond loopback
      SIP_BIND: '0.0.0.0',
      // compose's DB_USER is PostgreSQL's superuser, the migration role; Asterisk's is pbx_asterisk
      DB_USER: 'postgres',
      PUBLIC_BASE_URL: defaults.recordings.publicBaseUrl,
      RECORDINGS_RETENTION_DAYS: String(defaults.recordings.retentionDays),
      CALLS_RETENTION_DAYS: String(defaults.retention.callsDays),
      EVENTS_RETENTION_DAYS: String(defaults.retention.eventsDays),
      WEBHOOK_DELIVERIES_RETENTION_DAYS: String(defaults.retention.webhookDeliveriesDays),
      CDR_RETENTION_MONTHS: String(defaults.retention.cdrMonths),
    };
    const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const fallbacks = [...compose.matchAll(/\$\{([A-Z0-9_]+):-([^}]*)\}/g)].filter(([, , value]) => value !== '');
    expect(fallbacks.length).toBeGreaterThan(10);
    for (const [, name, value] of fallbacks) expect(`${name}=${value}`).toBe(`${name}=${expected[name]}`);
  });
});
