import { alreadyReached, CALL_STATUSES, CallStatus, canTransition } from './call.state';
import { LEG_STATES, legMove } from './leg.state';

describe('call transition table', () => {
  it('lets every state end, and nothing leave ended', () => {
    for (const status of CALL_STATUSES.filter((s) => s !== CallStatus.Ended))
      expect(canTransition(status, CallStatus.Ended)).toBe(true);
    for (const status of CALL_STATUSES) expect(canTransition(CallStatus.Ended, status)).toBe(false);
  });

  it('only moves forward', () => {
    for (const from of CALL_STATUSES) {
      for (const to of CALL_STATUSES) {
        if (canTransition(from, to)) expect(alreadyReached(from, to)).toBe(false);
      }
    }
  });

  it('keeps the click-to-call names the API returns for the middle states', () => {
    expect(CallStatus.CallerAnswered).toBe('agent_answered');
    expect(CallStatus.CalleeRinging).toBe('customer_ringing');
  });
});

describe('leg transition table', () => {
  it.each([
    ['created', 'ringing', 'move'],
    ['created', 'answered', 'move'],
    ['created', 'ended', 'move'],
    ['ringing', 'ringing', 'repeat'],
    ['ringing', 'answered', 'move'],
    ['answered', 'ringing', 'repeat'],
    ['answered', 'answered', 'repeat'],
    ['answered', 'ended', 'move'],
    ['ended', 'ended', 'repeat'],
    ['ended', 'answered', 'repeat'],
  ] as const)('%s → %s is %s', (from, to, expected) => {
    expect(legMove(from, to)).toBe(expected);
  });

  it('has no state a leg cannot leave for ended, but ended itself', () => {
    for (const state of LEG_STATES) expect(legMove(state, 'ended')).toBe(state === 'ended' ? 'repeat' : 'move');
  });
});
