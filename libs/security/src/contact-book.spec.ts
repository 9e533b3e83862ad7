import { ContactBook, ipOf } from './contact-book';

describe('ContactBook', () => {
  const at = (ip: string, status = 'NonQualified', expiresAt = 2_000) => ({ ip, status, expiresAt });

  it('tells a contact replaced by one from another address while the old one was there', () => {
    const book = new ContactBook();
    expect(book.observe('1001', [at('10.0.0.5')], 1_000)).toEqual([]);
    expect(book.observe('1001', [at('203.0.113.9')], 1_000)).toEqual([
      { aor: '1001', from: '10.0.0.5', to: '203.0.113.9' },
    ]);
    expect(book.ips('1001')).toEqual(['203.0.113.9']);
  });

  it('does not count an unregistered, expired or unreachable old contact, a new AOR, or a second phone', () => {
    const book = new ContactBook();
    book.observe('1001', [at('10.0.0.5')], 1_000);
    book.observe('1001', [], 1_000); // unregistered
    expect(book.observe('1001', [at('10.0.0.6')], 1_000)).toEqual([]);
    book.observe('1002', [at('10.0.0.5', 'NonQualified', 1_500)], 1_000);
    expect(book.observe('1002', [at('10.0.0.6')], 1_600)).toEqual([]); // old one had expired
    book.observe('1003', [at('10.0.0.5', 'Unreachable')], 1_000);
    expect(book.observe('1003', [at('10.0.0.6')], 1_000)).toEqual([]);
    book.observe('1004', [at('10.0.0.5')], 1_000);
    expect(book.observe('1004', [at('10.0.0.5'), at('10.0.0.6')], 1_000)).toEqual([]); // both there
    expect(book.observe('1005', [at('10.0.0.7')], 1_000)).toEqual([]);
  });

  it('forgets the oldest AOR past its bound', () => {
    const book = new ContactBook(2);
    book.observe('a', [at('10.0.0.1')], 1_000);
    book.observe('b', [at('10.0.0.2')], 1_000);
    book.observe('c', [at('10.0.0.3')], 1_000);
    expect(book.ips('a')).toEqual([]);
    expect(book.ips('c')).toEqual(['10.0.0.3']);
  });
});

describe('ipOf', () => {
  it('drops the port of a ViaAddress, IPv4 or bracketed IPv6', () => {
    expect(ipOf('203.0.113.9:5060')).toBe('203.0.113.9');
    expect(ipOf('[2001:db8::1]:5060')).toBe('2001:db8::1');
    expect(ipOf('2001:db8::1')).toBe('2001:db8::1');
    expect(ipOf('203.0.113.9')).toBe('203.0.113.9');
  });
});
