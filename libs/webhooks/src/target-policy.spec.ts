import { forbiddenAddress, literalTargetProblem, targetHost } from './target-policy';

describe('forbiddenAddress', () => {
  it.each([
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /metadata/],
    ['169.254.1.1', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['192.0.0.8', /IETF/],
    ['198.18.0.1', /benchmarking/],
    ['198.19.255.255', /benchmarking/],
    ['192.0.2.1', /documentation/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.10', /documentation/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
    ['::ffff:7f00:1', /IPv4-mapped loopback/],
    ['::ffff:a9fe:a9fe', /IPv4-mapped cloud metadata/],
    ['::ffff:0:0', /IPv4-mapped unspecified/],
    ['::7f00:1', /IPv4-compatible/],
    ['64:ff9b::a00:1', /NAT64 private/],
    ['64:ff9b::127.0.0.1', /NAT64 loopback/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::1', /6to4 loopback/],
    ['fc00::1', /unique local/],
    ['fd00::1', /unique local/],
    ['FD12:3456::1', /unique local/],
    ['fd00:ec2::254', /metadata/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['100::1', /discard/],
    ['2001:db8::1', /documentation/],
  ])('refuses %s (%p)', (ip, why) => expect(forbiddenAddress(ip)).toMatch(why));

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '198.17.255.255',
    '198.20.0.1',
    '223.255.255.255',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    'fbff::1',
    'fe7f::1',
  ])('lets %s through', (ip) => expect(forbiddenAddress(ip)).toBeNull());

  it('refuses whatever is not an IP address', () => {
    for (const bad of ['crm.example.com', '', '1.2.3', '256.1.1.1', '[::1]', '::gg'])
      expect(forbiddenAddress(bad)).toMatch(/not an IP/);
  });
});

describe('literalTargetProblem', () => {
  it.each([
    'http://127.0.0.1/x',
    'http://127.0.0.1:8080/x',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://127.1/',
    'http://017700000001/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'https://localhost/',
    'https://LOCALHOST:8443/',
    'https://localhost./',
    'https://crm.localhost/',
    'http://127.0.0.1./',
    'http://203.0.113.10/',
  ])('refuses %s', (url) =>
    expect(literalTargetProblem(url)).toMatch(/^url must not target .*WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/),
  );

  it.each([
    'https://crm.example.com/hooks',
    'https://8.8.8.8/',
    'https://[2606:4700:4700::1111]/',
    'https://localhost.example.com/',
    'https://mylocalhost/',
    'not a url',
  ])('lets %s through', (url) => expect(literalTargetProblem(url)).toBeNull());

  it('judges the host URL normalised, not the spelling', () => {
    expect(targetHost(new URL('http://0x7f000001/'))).toBe('127.0.0.1');
    expect(targetHost(new URL('http://[::ffff:127.0.0.1]/'))).toBe('::ffff:7f00:1');
    expect(targetHost(new URL('http://CRM.Example.com./'))).toBe('crm.example.com');
  });
});
