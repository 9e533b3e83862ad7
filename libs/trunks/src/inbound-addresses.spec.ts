import { canonicalInboundAddress, canonicalInboundAddresses } from './inbound-addresses';

describe("a trunk's inbound_addresses", () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    ['203.0.113.7/32', '203.0.113.7/32'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['198.51.100.77/28', '198.51.100.64/28'],
    ['127.0.0.3', '127.0.0.3/32'],
  ])('%s is the block %s', (entry, block) => {
    expect(canonicalInboundAddress(entry)).toBe(block);
  });

  it.each([
    'not-an-ip',
    '10.0.0.0/33',
    '10.0.0.0/7',
    '0.0.0.0/0',
    '0.0.0.0',
    '0.1.2.3/8',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4/',
    '1.2.3.4/08x',
    '1.2.3.4:5060',
    ' 1.2.3.4',
    '::1',
    '2001:db8::/32',
    '',
  ])('refuses %p', (entry) => {
    expect(canonicalInboundAddress(entry)).toBeNull();
  });

  it('drops duplicates once canonical, keeping the order', () => {
    expect(canonicalInboundAddresses(['203.0.113.7', '10.1.2.3/8', '203.0.113.7/32'])).toEqual([
      '203.0.113.7/32',
      '10.0.0.0/8',
    ]);
  });
});
