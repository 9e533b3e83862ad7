import { DomainError } from '../errors/domain.error';
import { IdPipe } from './id.pipe';

describe('IdPipe', () => {
  const pipe = new IdPipe('trunk');

  it('accepts positive 32-bit integers', () => {
    expect(pipe.transform('1')).toBe(1);
    expect(pipe.transform('2147483647')).toBe(2147483647);
  });

  it.each(['0', '-1', 'abc', '1.5', '1e3', '2147483648', '', "1' OR '1'='1"])(
    'treats %p as an unknown id (404)',
    (raw) => {
      expect(() => pipe.transform(raw)).toThrow(DomainError);
    },
  );
});
