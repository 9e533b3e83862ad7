import { DialPolicyRow } from './dial-policy.entity';
import { DIAL_POLICY_CACHE_MS, DialPolicyService } from './dial-policy.service';

/** A stand-in for the one-row table: counts reads. */
function fakeRows(initial: { allowed: string[]; denied: string[] }) {
  const row = Object.assign(new DialPolicyRow(), {
    id: 1,
    allowedPrefixes: initial.allowed,
    deniedPrefixes: initial.denied,
    updatedAt: new Date(),
  });
  const rows = {
    reads: 0,
    row,
    findOne: async () => {
      rows.reads++;
      return { ...row };
    },
    upsert: async (values: Partial<DialPolicyRow>) => void Object.assign(row, values),
  };
  return rows;
}

describe('DialPolicyService', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('reads the policy once per cache lifetime, then again', async () => {
    const rows = fakeRows({ allowed: [], denied: [] });
    const service = new DialPolicyService(rows as never);
    expect((await service.check('+84987', '+84987')).allowed).toBe(false);
    // another process allows 84: not seen until the copy expires
    rows.row.allowedPrefixes = ['84'];
    jest.advanceTimersByTime(DIAL_POLICY_CACHE_MS - 1);
    expect((await service.check('+84987', '+84987')).allowed).toBe(false);
    expect(rows.reads).toBe(1);
    jest.advanceTimersByTime(1);
    expect((await service.check('+84987', '+84987')).allowed).toBe(true);
    expect(rows.reads).toBe(2);
  });

  it('a PUT in this process applies to the next check at once', async () => {
    const rows = fakeRows({ allowed: [], denied: [] });
    const service = new DialPolicyService(rows as never);
    expect((await service.check('0987', '0987')).allowed).toBe(true);
    await service.put({ allowed_prefixes: [], denied_prefixes: ['09'] });
    expect((await service.check('0987', '0987')).allowed).toBe(false);
  });

  it('concurrent checks on an expired copy share one read', async () => {
    const rows = fakeRows({ allowed: ['84'], denied: [] });
    const service = new DialPolicyService(rows as never);
    const decisions = await Promise.all(Array.from({ length: 20 }, () => service.check('+84987', '+84987')));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(rows.reads).toBe(1);
  });
});
