import { classifyNumber, DialPolicy, dialPolicyDecision, decideNumber } from './dial-policy-decision';

const policy = (allowedPrefixes: string[] = [], deniedPrefixes: string[] = []): DialPolicy => ({
  allowedPrefixes,
  deniedPrefixes,
});
const allowed = (p: DialPolicy, requested: string, final = requested) =>
  dialPolicyDecision(p, requested, final).allowed;

describe('classifyNumber', () => {
  it.each([
    ['+84987654321', true, '84987654321'],
    ['0084987654321', true, '84987654321'],
    ['84987654321', false, '84987654321'],
    ['0987654321', false, '0987654321'],
    // one marker only: what follows is compared as it is
    ['+0084987', true, '0084987'],
    ['00+84987', true, '+84987'],
    ['000084', true, '0084'],
    ['++84', true, '+84'],
    ['0', false, '0'],
    ['+', true, ''],
  ])('%s: international %s, compared as %s', (number, international, digits) => {
    expect(classifyNumber(number)).toEqual({ international, digits });
  });
});

describe('decideNumber: defaults when no prefix matches', () => {
  it('allows a national number and denies an international one', () => {
    expect(decideNumber(policy(), '0987654321', 'x')).toEqual({
      allowed: true,
      reason: expect.stringMatching(/national/),
    });
    expect(decideNumber(policy(), '+84987654321', 'x')).toEqual({
      allowed: false,
      reason: expect.stringMatching(/international/),
    });
    expect(decideNumber(policy(), '0084987654321', 'x').allowed).toBe(false);
    expect(decideNumber(policy(), '+', 'x').allowed).toBe(false);
  });

  it('a prefix of another number does not count', () => {
    expect(decideNumber(policy(['85']), '+84987', 'x').allowed).toBe(false);
    expect(decideNumber(policy([], ['085']), '0987', 'x').allowed).toBe(true);
  });
});

describe('decideNumber: the longest matching prefix decides', () => {
  it('an allowed prefix opens international numbers, compared without + or 00', () => {
    const p = policy(['84']);
    expect(decideNumber(p, '+84987654321', 'x')).toEqual({ allowed: true, reason: expect.stringContaining('84') });
    expect(decideNumber(p, '0084987654321', 'x').allowed).toBe(true);
    expect(decideNumber(p, '+85512345', 'x').allowed).toBe(false);
  });

  it('a denied prefix closes national numbers', () => {
    const p = policy([], ['1900']);
    expect(decideNumber(p, '19001234', 'x')).toEqual({ allowed: false, reason: expect.stringContaining('1900') });
    expect(decideNumber(p, '0987654321', 'x').allowed).toBe(true);
  });

  it('a longer allowed prefix beats a shorter denied one, and the other way round', () => {
    const p = policy(['8498', '1'], ['84', '1900']);
    expect(decideNumber(p, '+84987654321', 'x').allowed).toBe(true);
    expect(decideNumber(p, '+84287654321', 'x').allowed).toBe(false);
    expect(decideNumber(p, '+12125551234', 'x').allowed).toBe(true);
    expect(decideNumber(p, '19001234', 'x').allowed).toBe(false);
  });

  it('a tie (the same prefix in both lists) denies', () => {
    expect(decideNumber(policy(['84'], ['84']), '+84987', 'x').allowed).toBe(false);
    expect(decideNumber(policy(['0'], ['0']), '0987', 'x').allowed).toBe(false);
  });

  it('looks across every prefix, in any order', () => {
    const prefixes = ['8', '849', '84', '8498'];
    for (const order of [prefixes, [...prefixes].reverse()]) {
      expect(decideNumber(policy(order, ['84987']), '+849876', 'x').allowed).toBe(false);
      expect(decideNumber(policy(['84987'], order), '+849876', 'x').allowed).toBe(true);
    }
  });
});

describe('dialPolicyDecision: the requested number AND the final dial string', () => {
  it('with no policy, national calls go out and international ones do not', () => {
    expect(allowed(policy(), '0987654321')).toBe(true);
    expect(allowed(policy(), '+84987654321')).toBe(false);
  });

  it('refuses when the final string is international though the number asked was national', () => {
    // a route with strip 1, prepend +84
    expect(dialPolicyDecision(policy(), '0987654321', '+84987654321')).toEqual({
      allowed: false,
      reason: expect.stringMatching(/dial string \+84987654321 is international/),
    });
    expect(allowed(policy(), '0987654321', '0084987654321')).toBe(false);
    expect(allowed(policy(['84']), '0987654321', '+84987654321')).toBe(true);
  });

  it('refuses when the number asked was international though the final string looks national', () => {
    // a route that strips +84 and prepends 0
    expect(allowed(policy(), '+84987654321', '0987654321')).toBe(false);
    expect(allowed(policy(['84']), '+84987654321', '0987654321')).toBe(true);
  });

  it('refuses when either side matches a denied prefix', () => {
    const p = policy(['84'], ['8419']);
    expect(allowed(p, '+841900123', '0841900123')).toBe(false);
    expect(dialPolicyDecision(policy([], ['1900']), '0841900', '1900')).toEqual({
      allowed: false,
      reason: expect.stringMatching(/dial string 1900 matches the denied prefix 1900/),
    });
    expect(allowed(policy([], ['0987']), '0987654321', '+84987654321')).toBe(false);
  });

  it('says why it allowed or refused, naming the number', () => {
    expect(dialPolicyDecision(policy(), '+84987', '+84987').reason).toBe(
      'the number +84987 is international and no allowed prefix matches it',
    );
    expect(dialPolicyDecision(policy(['84']), '0987', '+84987').reason).toBe(
      'the number 0987 is national and no prefix matches it; the dial string +84987 matches the allowed prefix 84',
    );
  });

  it('is symmetric in what refuses: either check alone refuses', () => {
    const p = policy(['1'], ['2']);
    for (const [requested, final, expected] of [
      ['1', '1', true],
      ['1', '2', false],
      ['2', '1', false],
      ['2', '2', false],
      ['+1', '+1', true],
      ['+1', '+3', false],
      ['+3', '+1', false],
    ] as const)
      expect({ requested, final, allowed: allowed(p, requested, final) }).toEqual({
        requested,
        final,
        allowed: expected,
      });
  });
});
