import { md5Cred } from './extensions.service';

describe('md5Cred', () => {
  it('is md5(user:realm:password), the HA1 Asterisk checks digests with', () => {
    // printf '1001:pbx:secret123' | md5sum
    expect(md5Cred('1001', 'pbx', 'secret123')).toBe('c646ea925b351a03efaa5f4e8ffa815d');
    expect(md5Cred('1001', 'pbx', 'secret123')).not.toBe(md5Cred('1001', 'other', 'secret123'));
  });
});
