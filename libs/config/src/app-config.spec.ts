import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  const minimal = { ARI_PASSWORD: 'a', AMI_PASSWORD: 'b' };

  it('applies defaults and freezes the result', () => {
    const config = loadConfig(minimal);
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/pbx');
    expect(config.ari).toEqual({ url: 'http://127.0.0.1:8088', username: 'pbx', password: 'a', app: 'pbx' });
    expect(Object.isFrozen(config.ari)).toBe(true);
    expect(config.webhooks.allowPrivateNetworks).toBe(false);
  });

  it('reads WEBHOOK_ALLOW_PRIVATE_NETWORKS strictly as true or false', () => {
    expect(loadConfig({ ...minimal, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhooks.allowPrivateNetworks).toBe(true);
    expect(loadConfig({ ...minimal, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }).webhooks.allowPrivateNetworks).toBe(false);
    for (const loose of ['yes', '1', 'TRUE', 'on']) {
      expect(() => loadConfig({ ...minimal, WEBHOOK_ALLOW_PRIVATE_NETWORKS: loose })).toThrow(/WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false/);
    }
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', PBX_ADMIN_TOKEN: 'short', ARI_APP: 'bad app' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'PBX_ADMIN_TOKEN', 'ARI_PASSWORD', 'AMI_PASSWORD', 'ARI_APP']) expect(problems).toContain(name);
    }
  });
});
