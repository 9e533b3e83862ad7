import {
  addMonths,
  checkedTable,
  MonthPartition,
  monthOfPartition,
  monthRange,
  monthsToEnsure,
  partitionName,
  partitionsWhollyBefore,
} from './monthly-partitions';

describe('monthly partitions: names and ranges', () => {
  it('names a month partition <table>_<yyyy>_<mm> and reads the month back', () => {
    expect(partitionName('call_events', { year: 2026, month: 3 })).toBe('call_events_2026_03');
    expect(partitionName('cdrs', { year: 2025, month: 12 })).toBe('cdrs_2025_12');
    expect(monthOfPartition('cdrs', 'cdrs_2025_12')).toEqual({ year: 2025, month: 12 });
    expect(monthOfPartition('cdrs', 'cdrs_default')).toBeNull();
    expect(monthOfPartition('cdrs', 'cdrs_2025_13')).toBeNull();
    expect(monthOfPartition('cdrs', 'call_events_2025_12')).toBeNull();
    expect(monthOfPartition('call_events', 'call_events_2025_1')).toBeNull();
  });

  it('refuses table names and months that are not plain', () => {
    for (const bad of ['cdrs; DROP TABLE calls', 'Cdrs', 'public.cdrs', '', 'cdrs"', 'a'.repeat(42)])
      expect(() => checkedTable(bad)).toThrow();
    expect(() => partitionName('cdrs', { year: 2026, month: 0 })).toThrow();
    expect(() => partitionName('cdrs', { year: 2026, month: 13 })).toThrow();
    expect(() => partitionName('cdrs', { year: 2026.5, month: 1 })).toThrow();
  });

  it('gives each month [first instant, first instant of the next) in UTC, across years', () => {
    expect(monthRange({ year: 2026, month: 12 })).toEqual({
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
    expect(monthRange({ year: 2024, month: 2 }).to).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(addMonths({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
    expect(addMonths({ year: 2026, month: 11 }, 14)).toEqual({ year: 2028, month: 1 });
  });

  it('ensures this month and the next N, by the UTC calendar', () => {
    // 23:30 on Nov 30 in UTC is already December in Prague, still November here
    expect(monthsToEnsure(new Date('2026-11-30T23:30:00Z'), 2)).toEqual([
      { year: 2026, month: 11 },
      { year: 2026, month: 12 },
      { year: 2027, month: 1 },
    ]);
    expect(monthsToEnsure(new Date('2026-12-01T00:00:00Z'), 0)).toEqual([{ year: 2026, month: 12 }]);
  });

  it('picks only the month partitions wholly before the cutoff, oldest first, never the default', () => {
    const month = (year: number, m: number): MonthPartition => ({
      name: partitionName('call_events', { year, month: m }),
      month: { year, month: m },
      ...monthRange({ year, month: m }),
    });
    const partitions = [
      month(2026, 10),
      month(2026, 9),
      month(2026, 8),
      { name: 'call_events_default', month: null, from: null, to: null },
    ];
    // cutoff inside September: August goes, September (partly younger) stays
    expect(partitionsWhollyBefore(partitions, new Date('2026-09-15T00:00:00Z')).map((p) => p.name)).toEqual([
      'call_events_2026_08',
    ]);
    // a cutoff on the first instant of October: September ends exactly there and goes too
    expect(partitionsWhollyBefore(partitions, new Date('2026-10-01T00:00:00Z')).map((p) => p.name)).toEqual([
      'call_events_2026_08',
      'call_events_2026_09',
    ]);
    expect(partitionsWhollyBefore(partitions, new Date('2026-08-31T23:59:59Z'))).toEqual([]);
  });
});
