import { CEL_RETENTION_MS, CEL_UNACCOUNTED_RETENTION_MS, purgeable, purgeCutoffs } from './cel-retention';

const NOW = new Date('2025-11-24T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const DAY = 24 * 3_600_000;

describe('CEL purge rule', () => {
  it('drops an accounted-for linkedid two days after its last row, not before', () => {
    expect(purgeable({ lastEventAt: ago(CEL_RETENTION_MS + 1), accounted: true }, NOW)).toBe(true);
    expect(purgeable({ lastEventAt: ago(CEL_RETENTION_MS - 1), accounted: true }, NOW)).toBe(false);
  });

  it('keeps a linkedid not yet turned into a call far longer (never before the long bound)', () => {
    expect(purgeable({ lastEventAt: ago(3 * DAY), accounted: false }, NOW)).toBe(false);
    expect(purgeable({ lastEventAt: ago(29 * DAY), accounted: false }, NOW)).toBe(false);
    expect(purgeable({ lastEventAt: ago(CEL_UNACCOUNTED_RETENTION_MS + 1), accounted: false }, NOW)).toBe(true);
  });

  it('judges a call by its newest row: a long call is kept while any row is recent', () => {
    expect(purgeable({ lastEventAt: ago(DAY), accounted: true }, NOW)).toBe(false);
  });

  it("the SQL's cutoffs are the rule's", () => {
    const { accounted, unaccounted } = purgeCutoffs(NOW);
    for (const [cutoff, isAccounted] of [
      [accounted, true],
      [unaccounted, false],
    ] as const) {
      expect(purgeable({ lastEventAt: new Date(cutoff.getTime() - 1), accounted: isAccounted }, NOW)).toBe(true);
      expect(purgeable({ lastEventAt: cutoff, accounted: isAccounted }, NOW)).toBe(false);
    }
  });
});
