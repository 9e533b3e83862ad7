import { compareSpecificity, dialNumber, matchesPrefix } from './route-match';

describe('route matching', () => {
  it.each([
    ['', '0987654321', true],
    ['09', '0987654321', true],
    ['09XX', '0987654321', true],
    ['08', '0987654321', false],
    ['X', '+84', false],
    ['+84', '+84987654321', true],
    ['0987654321X', '0987654321', false],
  ])('pattern %j matches %j: %s', (pattern, number, expected) => {
    expect(matchesPrefix(pattern, number)).toBe(expected);
  });

  it('orders longer patterns first, then fewer wildcards', () => {
    expect(['', '0X', '09', '098', 'XXX'].sort(compareSpecificity)).toEqual(['098', 'XXX', '09', '0X', '']);
  });

  it('strips then prepends', () => {
    expect(dialNumber('0987654321', 1, '+84')).toBe('+84987654321');
    expect(dialNumber('0987654321', 0, '')).toBe('0987654321');
  });
});
