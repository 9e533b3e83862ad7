import { callDisposition, Cause, isTrunkUnavailable, unansweredDisposition } from './hangup-cause';

describe('Q.850 cause → disposition', () => {
  it.each([
    [Cause.UserBusy, 'BUSY'],
    [Cause.CallRejected, 'BUSY'],
    [Cause.NoUserResponse, 'NO ANSWER'],
    [Cause.NoAnswer, 'NO ANSWER'],
    [Cause.Normal, 'FAILED'],
    [Cause.NoCircuit, 'FAILED'],
    [Cause.Unallocated, 'FAILED'],
    [null, 'FAILED'],
  ] as const)('an unanswered leg ended with cause %s is %s', (cause, disposition) => {
    expect(unansweredDisposition(cause)).toBe(disposition);
  });

  const leg = (answered: boolean, cause: number | null, endedFirst: boolean) => ({ answered, cause, endedFirst });
  it.each([
    ['callee answered', leg(true, 16, false), leg(true, 16, true), 'ANSWERED'],
    ['agent busy', leg(false, Cause.UserBusy, true), null, 'BUSY'],
    ['agent did not answer', leg(false, Cause.NoAnswer, true), null, 'NO ANSWER'],
    ['agent gave up before the customer was dialled', leg(true, 16, true), null, 'CANCELLED'],
    ['agent answered, nothing dialled, PBX ended it', leg(true, 16, false), null, 'FAILED'],
    ['agent gave up while the customer rang', leg(true, 16, true), leg(false, 16, false), 'CANCELLED'],
    ['customer busy', leg(true, 16, false), leg(false, Cause.UserBusy, true), 'BUSY'],
    ['customer did not answer', leg(true, 16, false), leg(false, Cause.NoAnswer, true), 'NO ANSWER'],
    ['carrier unreachable', leg(true, 16, false), leg(false, Cause.NoCircuit, true), 'FAILED'],
  ] as const)('%s → %s', (_, a, b, disposition) => {
    expect(callDisposition(a, b)).toBe(disposition);
  });

  it('fails over only on causes that say the trunk could not carry the call', () => {
    for (const cause of [3, 27, 34, 38, 41, 42]) expect(isTrunkUnavailable(cause)).toBe(true);
    for (const cause of [null, 1, 16, 17, 18, 19, 21, 31]) expect(isTrunkUnavailable(cause)).toBe(false);
  });
});
