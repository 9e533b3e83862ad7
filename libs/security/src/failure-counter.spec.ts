import { cidrSet, FailureCounter, inSet, remoteAddressOf } from './failure-counter';

describe('FailureCounter', () => {
  it('answers the count once an address reaches the limit within the window, then starts over', () => {
    const counter = new FailureCounter(3, 600_000);
    expect(counter.record('203.0.113.9', 0)).toBeNull();
    expect(counter.record('203.0.113.9', 1_000)).toBeNull();
    expect(counter.record('198.51.100.1', 1_500)).toBeNull();
    expect(counter.record('203.0.113.9', 2_000)).toBe(3);
    expect(counter.record('203.0.113.9', 3_000)).toBeNull();
  });

  it('forgets failures older than the window', () => {
    const counter = new FailureCounter(3, 600_000);
    counter.record('203.0.113.9', 0);
    counter.record('203.0.113.9', 1_000);
    expect(counter.record('203.0.113.9', 600_500)).toBeNull();
    expect(counter.record('203.0.113.9', 600_600)).toBe(3);
  });

  it('tracks at most maxAddresses', () => {
    const counter = new FailureCounter(2, 600_000, 2);
    counter.record('10.0.0.1', 0);
    counter.record('10.0.0.2', 0);
    counter.record('10.0.0.3', 0); // drops 10.0.0.1
    expect(counter.record('10.0.0.1', 1)).toBeNull();
    expect(counter.record('10.0.0.3', 1)).toBe(2);
  });
});

describe('remoteAddressOf', () => {
  it('reads IPv4 and IPv6 RemoteAddress fields', () => {
    expect(remoteAddressOf('IPV4/UDP/203.0.113.9/5060')).toBe('203.0.113.9');
    expect(remoteAddressOf('IPV6/TCP/2001:db8::1/5060')).toBe('2001:db8::1');
    expect(remoteAddressOf('garbage')).toBeNull();
    expect(remoteAddressOf(undefined)).toBeNull();
  });
});

describe('cidrSet', () => {
  it('matches addresses and subnets of both families', () => {
    const set = cidrSet(['127.0.0.1/32', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(inSet(set, '127.0.0.1')).toBe(true);
    expect(inSet(set, '127.0.0.2')).toBe(false);
    expect(inSet(set, '10.200.1.1')).toBe(true);
    expect(inSet(set, '2001:db8::5')).toBe(true);
    expect(inSet(set, '192.0.2.7')).toBe(true);
    expect(inSet(set, '192.0.2.8')).toBe(false);
  });
});
