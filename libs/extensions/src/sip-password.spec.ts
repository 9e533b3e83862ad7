import {
  generateSipPassword,
  SIP_PASSWORD_HAS_NUMBER,
  SIP_PASSWORD_MIN,
  SIP_PASSWORD_SHORT,
  sipPasswordProblem,
} from './sip-password';

describe('sipPasswordProblem', () => {
  it('refuses fewer than 12 characters, accepts 12', () => {
    expect(SIP_PASSWORD_MIN).toBe(12);
    expect(sipPasswordProblem('abcdefghijk', '1001')).toBe(SIP_PASSWORD_SHORT);
    expect(sipPasswordProblem('abcdefghijkl', '1001')).toBeNull();
  });

  it('refuses a password containing the extension number anywhere', () => {
    expect(sipPasswordProblem('1001-correct-horse', '1001')).toBe(SIP_PASSWORD_HAS_NUMBER);
    expect(sipPasswordProblem('correct-1001-horse', '1001')).toBe(SIP_PASSWORD_HAS_NUMBER);
    expect(sipPasswordProblem('correct-horse-1001', '1001')).toBe(SIP_PASSWORD_HAS_NUMBER);
    expect(sipPasswordProblem('correct-horse-100-1', '1001')).toBeNull();
    expect(sipPasswordProblem('correct-horse-1001', '2002')).toBeNull();
  });

  it('says "too short" before "contains the number"', () => {
    expect(sipPasswordProblem('pw-1001', '1001')).toBe(SIP_PASSWORD_SHORT);
  });
});

describe('generateSipPassword', () => {
  it('gives 24 base64url characters that pass the rule, different each time', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generateSipPassword('1001')));
    expect(passwords.size).toBe(50);
    for (const password of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(sipPasswordProblem(password, '1001')).toBeNull();
    }
  });

  it('draws again when the random text contains the number', () => {
    // 18 bytes whose base64url starts with "123" would contain "123"; the stub yields one such draw first
    const containing = Buffer.from('123AAAAAAAAAAAAAAAAAAAAA', 'base64url');
    const clean = Buffer.alloc(18, 0xab);
    const draws = [containing, clean];
    const password = generateSipPassword('123', () => draws.shift() as Buffer);
    expect(password).toBe(clean.toString('base64url'));
    expect(draws).toHaveLength(0);
  });
});
