import { ExtensionStateTracker, liveState } from './extension-state';
import { stateChangedRecord } from '../persistence/extension-events';

describe('liveState: device state and registration', () => {
  it.each([
    [{ device: 'unavailable', registered: false }, 'unavailable'],
    // Asterisk says UNAVAILABLE for a registered realtime endpoint without a call
    [{ device: 'unavailable', registered: true }, 'idle'],
    [{ device: 'idle', registered: false }, 'idle'],
    [{ device: 'ringing', registered: true }, 'ringing'],
    [{ device: 'in_call', registered: true }, 'in_call'],
    // a call outlives the registration that brought it
    [{ device: 'in_call', registered: false }, 'in_call'],
  ] as const)('%j is %s', (facts, state) => {
    expect(liveState(facts)).toBe(state);
  });
});

describe('ExtensionStateTracker: change detection', () => {
  /** Applies facts, storing each change; returns the states stored. */
  function run(tracker: ExtensionStateTracker, steps: Array<Parameters<ExtensionStateTracker['next']>[1]>): string[] {
    const stored: string[] = [];
    for (const facts of steps) {
      const next = tracker.next('1001', facts);
      if (next === null) continue;
      stored.push(next);
      tracker.storedState('1001', next);
    }
    return stored;
  }

  it('unavailable → idle → ringing → in_call → idle → unavailable, as Asterisk reports a call', () => {
    const tracker = new ExtensionStateTracker();
    tracker.seed('1001', 'unavailable');
    expect(
      run(tracker, [
        { device: 'unavailable', registered: false }, // the read on subscribe
        { registered: true },
        { device: 'ringing' },
        { device: 'in_call' },
        { device: 'unavailable' }, // what Asterisk says after the hangup
        { registered: false },
      ]),
    ).toEqual(['idle', 'ringing', 'in_call', 'idle', 'unavailable']);
  });

  it('a repeat of the same mapped state changes nothing (INUSE, ONHOLD, RINGINUSE are all in_call)', () => {
    const tracker = new ExtensionStateTracker();
    tracker.seed('1001', 'idle');
    expect(
      run(tracker, [
        { device: 'unavailable', registered: true },
        { registered: true },
        { device: 'in_call' },
        { device: 'in_call' },
        { device: 'in_call' },
        { registered: true },
      ]),
    ).toEqual(['in_call']);
  });

  it('starts from the stored state: after a restart an unchanged extension stores nothing', () => {
    const tracker = new ExtensionStateTracker();
    tracker.seed('1001', 'idle');
    expect(run(tracker, [{ device: 'unavailable', registered: true }])).toEqual([]);
    tracker.seed('1001', 'unavailable'); // a later seed does not override what the tracker knows
    expect(run(tracker, [{ registered: true }])).toEqual([]);
  });

  it('a store that failed is tried again by the next fact', () => {
    const tracker = new ExtensionStateTracker();
    tracker.seed('1001', 'unavailable');
    expect(tracker.next('1001', { registered: true })).toBe('idle'); // not recorded as stored
    expect(tracker.next('1001', { registered: true })).toBe('idle');
    tracker.storedState('1001', 'idle');
    expect(tracker.next('1001', { registered: true })).toBeNull();
  });

  it('an unregistered phone mid-call stays in_call, and becomes unavailable when the call ends', () => {
    const tracker = new ExtensionStateTracker();
    tracker.seed('1001', 'in_call');
    expect(run(tracker, [{ registered: false }, { device: 'unavailable' }])).toEqual(['unavailable']);
  });
});

describe('stateChangedRecord', () => {
  it('is shaped like the other stored events: id, type, occurred_at, and the extension', () => {
    expect(stateChangedRecord('e1', '1001', 'ringing', 'idle', new Date('2026-11-30T12:00:00.123Z'))).toStrictEqual({
      id: 'e1',
      type: 'pbx.extension.state_changed',
      occurred_at: '2026-11-30T12:00:00.123Z',
      extension: { number: '1001', state: 'ringing', previous_state: 'idle' },
    });
  });
});
