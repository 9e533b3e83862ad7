import { CelRow } from '@pbx/asterisk';
import { CallEvent } from '@pbx/call-events';
import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { decide } from '../state/decide';
import { channelsOf, recoveredCallOf } from './cel-call';

const T0 = Date.parse('2025-11-24T10:00:00.000Z');
let nextId = 0;
function row(ms: number, eventtype: string, channel: string, uniqueid: string, fields: Partial<CelRow> = {}): CelRow {
  return {
    id: ++nextId,
    eventtype,
    at: new Date(T0 + ms),
    cidNum: null,
    exten: null,
    context: null,
    channame: channel,
    appname: null,
    uniqueid,
    linkedid: 'L1',
    extra: null,
    ...fields,
  };
}
const hangup = (cause: number, source = '') =>
  JSON.stringify({ hangupcause: cause, hangupsource: source, dialstatus: '' });

/** A carrier's call the dialplan refused (the Stasis app was not registered): Hangup(34). */
function refusedInbound(source = '', cause = 34): CelRow[] {
  const ch = 'PJSIP/trunk-4-00000001';
  const entry = { context: 'pbx-from-trunk', exten: '+842812345', cidNum: '0987000111' };
  return [
    row(0, 'CHAN_START', ch, 'L1', entry),
    row(2, 'APP_START', ch, 'L1', { ...entry, appname: 'Stasis' }),
    row(5, 'HANGUP', ch, 'L1', { ...entry, extra: hangup(cause, source) }),
    row(6, 'CHAN_END', ch, 'L1', entry),
    row(6, 'LINKEDID_END', ch, 'L1', entry),
  ];
}

/** 2001 calls 2002 through the fallback Dial(); 2002 answers at 2 s and hangs up at 10 s. */
function internalAnswered(): CelRow[] {
  const a = 'PJSIP/2001-00000002';
  const b = 'PJSIP/2002-00000003';
  const entry = { context: 'pbx-internal', exten: '2002', cidNum: '2001' };
  return [
    row(0, 'CHAN_START', a, 'L1', entry),
    row(1, 'APP_START', a, 'L1', { ...entry, appname: 'Stasis' }),
    row(3, 'APP_START', a, 'L1', { ...entry, appname: 'Dial' }),
    row(4, 'CHAN_START', b, 'U2', { context: 'pbx-internal', exten: 's', cidNum: '2002' }),
    row(2000, 'ANSWER', b, 'U2'),
    row(2001, 'ANSWER', a, 'L1', entry),
    row(2002, 'BRIDGE_ENTER', a, 'L1', entry),
    row(2002, 'BRIDGE_ENTER', b, 'U2'),
    row(10_000, 'HANGUP', b, 'U2', { extra: hangup(16, b) }),
    row(10_001, 'CHAN_END', b, 'U2'),
    row(10_001, 'HANGUP', a, 'L1', { ...entry, extra: hangup(16, b) }),
    row(10_002, 'CHAN_END', a, 'L1', entry),
    row(10_002, 'LINKEDID_END', a, 'L1', entry),
  ];
}

/** Replays a recovered call through decide, as the funnel does. */
function replay(rows: CelRow[], extensions: string[] = []) {
  const recovered = recoveredCallOf('L1', rows, new Set(extensions));
  if (!recovered) throw new Error('nothing recovered');
  const events: CallEvent[] = [];
  let state: { call: Call; legs: CallLeg[] } = { call: recovered.call, legs: [recovered.caller] };
  for (const change of recovered.changes) {
    const decided = decide(state.call, state.legs, change);
    events.push(...decided.events);
    if (decided.changed) state = decided;
  }
  return { ...state, events: events.map((e) => e.type), recovered };
}

describe('a call from CEL (the worker was away)', () => {
  it('a carrier refused by the dialplan: inbound, missed, FAILED, hung up by the system, CEL times', () => {
    const { call, events, legs } = replay(refusedInbound());
    expect(call).toMatchObject({
      direction: 'inbound',
      fromNumber: '0987000111',
      toNumber: '842812345',
      did: '842812345',
      extension: null,
      trunkId: 4,
      status: 'ended',
      disposition: 'FAILED',
      hangupCause: 34,
      hangupBy: 'system',
    });
    expect(call.createdAt.getTime()).toBe(T0);
    expect(call.endedAt!.getTime()).toBe(T0 + 5);
    expect(events).toEqual(['pbx.call.leg_ended', 'pbx.call.missed', 'pbx.call.hangup']);
    expect(legs).toEqual([expect.objectContaining({ channelId: 'L1', leg: 'a', endpoint: 'PJSIP/trunk-4' })]);
  });

  it('a carrier that gave up while the call waited for a stuck worker: hung up by a, caller_hangup', () => {
    const { call, events } = replay(refusedInbound('PJSIP/trunk-4-00000001', 16));
    expect(call).toMatchObject({ hangupBy: 'a', hangupCause: 16, disposition: 'FAILED' });
    expect(events).toContain('pbx.call.missed');
  });

  it('an internal call through the fallback Dial(): ringing, answered, the callee hangs up, ANSWERED', () => {
    const { call, events, legs } = replay(internalAnswered());
    expect(call).toMatchObject({
      direction: 'internal',
      fromNumber: '2001',
      toNumber: '2002',
      extension: '2001',
      did: null,
      disposition: 'ANSWERED',
      hangupBy: 'b',
      hangupCause: 16,
    });
    expect(events).toEqual([
      'pbx.call.ringing',
      'pbx.call.answered',
      'pbx.call.leg_ended',
      'pbx.call.leg_ended',
      'pbx.call.hangup',
    ]);
    const callee = legs.find((l) => l.leg === 'b')!;
    expect(callee).toMatchObject({ channelId: 'U2', extension: '2002', endpoint: 'PJSIP/2002' });
    expect(callee.answeredAt!.getTime()).toBe(T0 + 2000);
    expect(call.endedAt!.getTime()).toBe(T0 + 10_001);
  });

  it("the caller hangs up: Asterisk logs the callee's hangup first, naming the caller as its source", () => {
    const a = 'PJSIP/2001-00000002';
    const rows = internalAnswered().map((r) => (r.eventtype === 'HANGUP' ? { ...r, extra: hangup(16, a) } : r));
    const { call, legs } = replay(rows);
    expect(call).toMatchObject({ hangupBy: 'a', disposition: 'ANSWERED' });
    expect(legs.find((l) => l.leg === 'a')!.endedAt!.getTime()).toBe(T0 + 10_001);
    expect(call.endedAt!.getTime()).toBe(T0 + 10_001);
  });

  it('a phone dialling a number that is no extension: outbound, failed by the system', () => {
    const ch = 'PJSIP/2001-00000004';
    const entry = { context: 'pbx-internal', exten: '0987654321', cidNum: '2001' };
    const { call } = replay([
      row(0, 'CHAN_START', ch, 'L1', entry),
      row(3, 'HANGUP', ch, 'L1', { ...entry, extra: hangup(20) }),
      row(4, 'LINKEDID_END', ch, 'L1', entry),
    ]);
    expect(call).toMatchObject({ direction: 'outbound', toNumber: '0987654321', hangupBy: 'system', hangupCause: 20 });
  });

  it('internal when the number dialled is an extension, even if no channel rang it', () => {
    const ch = 'PJSIP/2001-00000005';
    const entry = { context: 'pbx-internal', exten: '2003', cidNum: '2001' };
    const rows = [
      row(0, 'CHAN_START', ch, 'L1', entry),
      row(3, 'HANGUP', ch, 'L1', { ...entry, extra: hangup(20) }),
      row(4, 'LINKEDID_END', ch, 'L1', entry),
    ];
    expect(replay(rows, ['2003']).call.direction).toBe('internal');
  });

  it('nothing to record: not finished yet, or not a call from a carrier or a phone', () => {
    expect(recoveredCallOf('L1', internalAnswered().slice(0, -1), new Set())).toBeNull();
    const originated = internalAnswered().map((r) => ({ ...r, context: r.context && 'pbx-stasis' }));
    expect(recoveredCallOf('L1', originated, new Set())).toBeNull();
  });

  it('reads each channel once, whatever the order of its rows', () => {
    const channels = channelsOf(internalAnswered());
    expect(channels.map((c) => [c.uniqueid, c.endpoint, c.cause])).toEqual([
      ['L1', '2001', 16],
      ['U2', '2002', 16],
    ]);
  });
});
