import { configDefaults, ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  const minimal = { ARI_PASSWORD: 'a', AMI_PASSWORD: 'b' };

  it('applies defaults and freezes the result', () => {
    const config = loadConfig(minimal);
    expect(config.port).toBe(3000);
    // the apps log in as pbx_app; DATABASE_URL's superuser only migrates
    expect(config.databaseUrl).toBe('postgres://pbx_app@127.0.0.1:5432/pbx');
    expect(config.databaseLogins.adminUrl).toBe('postgres://postgres@127.0.0.1:5432/pbx');
    expect(config.ari).toEqual({ url: 'http://127.0.0.1:8088', username: 'pbx', password: 'a', app: 'pbx' });
    expect(config.extensionStateSyncMs).toBe(30_000);
    expect(Object.isFrozen(config.ari)).toBe(true);
    expect(config.webhooks.allowPrivateNetworks).toBe(false);
  });

  it('reads WEBHOOK_ALLOW_PRIVATE_NETWORKS strictly as true or false', () => {
    expect(loadConfig({ ...minimal, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhooks.allowPrivateNetworks).toBe(true);
    expect(loadConfig({ ...minimal, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }).webhooks.allowPrivateNetworks).toBe(
      false,
    );
    for (const loose of ['yes', '1', 'TRUE', 'on']) {
      expect(() => loadConfig({ ...minimal, WEBHOOK_ALLOW_PRIVATE_NETWORKS: loose })).toThrow(
        /WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false/,
      );
    }
  });

  it("logs the apps in as pbx_app on DATABASE_URL's database, with DB_APP_PASSWORD", () => {
    const config = loadConfig({
      ...minimal,
      DATABASE_URL: 'postgresql://admin:s3cret@db.example:6543/pbx_prod?sslmode=require',
      DB_APP_PASSWORD: 'p@ss:w/o%rd;#',
      DB_ASTERISK_PASSWORD: 'ast',
    });
    const url = new URL(config.databaseUrl);
    expect([url.username, decodeURIComponent(url.password), url.host, url.pathname, url.search]).toEqual([
      'pbx_app',
      'p@ss:w/o%rd;#',
      'db.example:6543',
      '/pbx_prod',
      '?sslmode=require',
    ]);
    expect(config.databaseLogins.passwords).toEqual({ app: 'p@ss:w/o%rd;#', asterisk: 'ast', reporting: '' });
    expect(() => loadConfig({ ...minimal, DB_ASTERISK_PASSWORD: 'a\nb' })).toThrow(/DB_ASTERISK_PASSWORD/);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', PBX_ADMIN_TOKEN: 'short', ARI_APP: 'bad app' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'PBX_ADMIN_TOKEN', 'ARI_PASSWORD', 'AMI_PASSWORD', 'ARI_APP'])
        expect(problems).toContain(name);
    }
  });

  it('has safe defaults for the front door', () => {
    const config = loadConfig(minimal);
    expect(config.http).toEqual({
      trustProxy: [],
      tokenLimit: 600,
      unauthenticatedLimit: 60,
      publicLimit: 600,
      recordingNotFoundLimit: 30,
      docsEnabled: true,
    });
    expect(config.databasePool).toEqual({ max: 10, acquireTimeoutMs: 2_000 });
    expect(config.metrics).toEqual({ token: undefined, host: '127.0.0.1', apiPort: 0 });
    expect(config.redisKeyPrefix).toBe('pbx:pbx:');
  });

  it('reads the recordings settings, validated', () => {
    expect(loadConfig(minimal).recordings).toEqual({
      dir: './var/recordings',
      publicBaseUrl: 'http://127.0.0.1:3000',
      retentionDays: 90,
      encoder: 'lame',
    });
    const set = loadConfig({
      ...minimal,
      RECORDINGS_DIR: '/srv/recordings',
      PUBLIC_BASE_URL: 'https://pbx.example.com/links/',
      RECORDINGS_RETENTION_DAYS: '0',
      RECORDINGS_ENCODER: '/usr/local/bin/lame',
    });
    expect(set.recordings).toEqual({
      dir: '/srv/recordings',
      publicBaseUrl: 'https://pbx.example.com/links',
      retentionDays: 0,
      encoder: '/usr/local/bin/lame',
    });
    for (const bad of [
      'pbx.example.com',
      'ftp://pbx.example.com',
      'https://u:p@pbx.example.com',
      'https://x.example/?a=1',
    ])
      expect(() => loadConfig({ ...minimal, PUBLIC_BASE_URL: bad })).toThrow(/PUBLIC_BASE_URL/);
    for (const bad of ['-1', '1.5', 'ninety'])
      expect(() => loadConfig({ ...minimal, RECORDINGS_RETENTION_DAYS: bad })).toThrow(/RECORDINGS_RETENTION_DAYS/);
    expect(() => loadConfig({ ...minimal, RATE_LIMIT_RECORDING_NOT_FOUND: '0' })).toThrow(
      /RATE_LIMIT_RECORDING_NOT_FOUND/,
    );
  });

  it('reads the retention settings (whole days, whole months; 0 keeps forever), validated', () => {
    expect(loadConfig(minimal).retention).toEqual({
      callsDays: 0,
      eventsDays: 30,
      webhookDeliveriesDays: 30,
      cdrMonths: 0,
    });
    expect(
      loadConfig({
        ...minimal,
        CALLS_RETENTION_DAYS: '365',
        EVENTS_RETENTION_DAYS: '1',
        WEBHOOK_DELIVERIES_RETENTION_DAYS: '0',
        CDR_RETENTION_MONTHS: '24',
      }).retention,
    ).toEqual({ callsDays: 365, eventsDays: 1, webhookDeliveriesDays: 0, cdrMonths: 24 });
    for (const name of [
      'CALLS_RETENTION_DAYS',
      'EVENTS_RETENTION_DAYS',
      'WEBHOOK_DELIVERIES_RETENTION_DAYS',
      'CDR_RETENTION_MONTHS',
    ])
      for (const bad of ['-1', '0.5', 'thirty', '99999'])
        expect(() => loadConfig({ ...minimal, [name]: bad })).toThrow(new RegExp(`${name} must be an integer`));
    // a call's events go with it: calls may not go before their events would
    expect(() => loadConfig({ ...minimal, CALLS_RETENTION_DAYS: '7' })).toThrow(/CALLS_RETENTION_DAYS must be 0 or/);
    expect(() => loadConfig({ ...minimal, CALLS_RETENTION_DAYS: '90', EVENTS_RETENTION_DAYS: '0' })).toThrow(
      /CALLS_RETENTION_DAYS/,
    );
    expect(loadConfig({ ...minimal, CALLS_RETENTION_DAYS: '30' }).retention.callsDays).toBe(30);
  });

  it('reads TRUST_PROXY as CIDRs and refuses anything else', () => {
    expect(loadConfig({ ...minimal, TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,::1/128' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      '::1/128',
    ]);
    expect(loadConfig({ ...minimal, TRUST_PROXY: 'false' }).http.trustProxy).toEqual([]);
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example.com', '10.0.0.0/8/1', '*'])
      expect(() => loadConfig({ ...minimal, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
  });

  it('refuses an admin token that could never authenticate, and a vague boolean', () => {
    expect(() => loadConfig({ ...minimal, PBX_ADMIN_TOKEN: 'sixteen chars ok?' })).toThrow(/PBX_ADMIN_TOKEN/);
    expect(() => loadConfig({ ...minimal, DOCS_ENABLED: 'yes' })).toThrow(/DOCS_ENABLED/);
    expect(loadConfig({ ...minimal, DOCS_ENABLED: 'false' }).http.docsEnabled).toBe(false);
  });

  it('carries the settings of the Asterisk it runs, validated', () => {
    expect(loadConfig(minimal).asterisk).toEqual({
      instance: 'pbx',
      sipBind: '127.0.0.1',
      ariPort: 8088,
      rtpStart: 10000,
      rtpEnd: 10999,
      chrootDir: undefined,
    });
    const moved = loadConfig({
      ...minimal,
      ARI_URL: 'http://127.0.0.1:9088',
      SIP_BIND: '0.0.0.0',
      RTP_START: '20000',
      RTP_END: '20099',
      ASTERISK_INSTANCE: 'pbx-2',
      ASTERISK_CHROOT: '/srv/chroot',
    });
    expect(moved.asterisk).toEqual({
      instance: 'pbx-2',
      sipBind: '0.0.0.0',
      ariPort: 9088,
      rtpStart: 20000,
      rtpEnd: 20099,
      chrootDir: '/srv/chroot',
    });
    expect(loadConfig({ ...minimal, ARI_URL: 'https://pbx.example.com' }).asterisk.ariPort).toBe(443);
    try {
      loadConfig({
        ...minimal,
        SIP_BIND: 'localhost',
        RTP_START: '20000',
        RTP_END: '10000',
        ASTERISK_INSTANCE: 'Bad Name',
        ASTERISK_CHROOT: 'relative',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of [
        'SIP_BIND',
        'RTP_START must not be greater than RTP_END',
        'ASTERISK_INSTANCE',
        'ASTERISK_CHROOT',
      ])
        expect(problems).toContain(name);
    }
    expect(() => loadConfig({ ...minimal, RTP_END: '70000' })).toThrow(/RTP_END/);
  });

  it('gives its defaults, secrets empty, for what must agree with them', () => {
    const defaults = configDefaults();
    expect(defaults.webhooks).toEqual(loadConfig(minimal).webhooks);
    expect(defaults.ari.password).toBe('');
    expect(defaults.ami.password).toBe('');
    expect(Object.isFrozen(defaults.asterisk)).toBe(true);
  });
});
