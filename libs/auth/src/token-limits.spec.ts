import {
  allowsCall,
  allowsExtension,
  allowsTrunk,
  limitsOf,
  limitsWhere,
  positional,
  TokenLimits,
} from './token-limits';

const limited = (overrides: Partial<TokenLimits>): TokenLimits => ({
  extensions: null,
  trunkIds: null,
  maxConcurrentCalls: null,
  ...overrides,
});

describe('token limits', () => {
  it('a row without any limit gives no limits at all (the unlimited fast path)', () => {
    expect(limitsOf({ extensions: null, trunkIds: null, maxConcurrentCalls: null })).toBeUndefined();
    expect(limitsOf({})).toBeUndefined();
    expect(limitsOf({ maxConcurrentCalls: 2 })).toEqual({ extensions: null, trunkIds: null, maxConcurrentCalls: 2 });
  });

  it('an unlimited axis allows everything, a limited one only its list', () => {
    expect(allowsExtension(undefined, '1001')).toBe(true);
    expect(allowsExtension(limited({ trunkIds: [1] }), '1001')).toBe(true);
    expect(allowsExtension(limited({ extensions: ['1001'] }), '1001')).toBe(true);
    expect(allowsExtension(limited({ extensions: ['1001'] }), '1002')).toBe(false);
    expect(allowsTrunk(undefined, 7)).toBe(true);
    expect(allowsTrunk(limited({ trunkIds: [7] }), 7)).toBe(true);
    expect(allowsTrunk(limited({ trunkIds: [7] }), 8)).toBe(false);
    expect(allowsTrunk(limited({ extensions: ['1001'] }), 8)).toBe(true);
  });

  it('a call is visible when its extension and every trunk it is tied to are allowed', () => {
    const limits = limited({ extensions: ['1001'], trunkIds: [7, 9] });
    expect(allowsCall(limits, { fromExtension: '1001', trunkIds: [7] })).toBe(true);
    expect(allowsCall(limits, { fromExtension: '1001', trunkIds: [null, 7, 9] })).toBe(true);
    expect(allowsCall(limits, { fromExtension: '1001', trunkIds: [] })).toBe(true);
    expect(allowsCall(limits, { fromExtension: '1002', trunkIds: [7] })).toBe(false);
    expect(allowsCall(limits, { fromExtension: '1001', trunkIds: [7, 8] })).toBe(false);
    expect(allowsCall(undefined, { fromExtension: '1002', trunkIds: [8] })).toBe(true);
  });

  describe('limitsWhere (the SQL form)', () => {
    const columns = { extension: 'c.from_extension', trunk: 'c.trunk_id' };

    it('adds nothing for an unlimited token or one limited only in concurrency', () => {
      expect(limitsWhere(undefined, columns, positional([]))).toBeNull();
      expect(limitsWhere(limited({ maxConcurrentCalls: 3 }), columns, positional([]))).toBeNull();
    });

    it('binds the lists as parameters, numbered after those already there', () => {
      const parameters: unknown[] = ['already'];
      const sql = limitsWhere(
        limited({ extensions: ['1001', '1002'], trunkIds: [7] }),
        columns,
        positional(parameters),
      );
      expect(sql).toBe(
        'c.from_extension = ANY(CAST($2 AS varchar[])) AND (c.trunk_id IS NULL OR c.trunk_id = ANY(CAST($3 AS int[])))',
      );
      expect(parameters).toEqual(['already', ['1001', '1002'], [7]]);
    });

    it('checks every route plan step when the table has one, reusing the trunk parameter', () => {
      const parameters: unknown[] = [];
      const sql = limitsWhere(
        limited({ trunkIds: [7] }),
        { ...columns, routePlan: 'c.route_plan' },
        positional(parameters),
      );
      expect(sql).toContain(
        "NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.route_plan) AS step WHERE NOT (CAST(step->>'trunkId' AS int) = ANY(CAST($1 AS int[]))))",
      );
      expect(sql).not.toContain('from_extension');
      expect(parameters).toEqual([[7]]);
    });

    it('never puts a value into the SQL text', () => {
      const sql = limitsWhere(limited({ extensions: ["1'; DROP TABLE cdrs;--"] }), columns, positional([]));
      expect(sql).not.toContain('DROP');
    });
  });
});
