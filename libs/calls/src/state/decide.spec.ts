import { Call } from '../persistence/call.entity';
import { CallLeg } from '../persistence/call-leg.entity';
import { CallChange } from './call-change';
import { CallStatus } from './call.state';
import { decide, Decision } from './decide';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const B2 = '00000000-0000-4000-8000-0000000000b2';
const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 9, 0, 0) + s * 1000);

function queuedCall(): { call: Call; legs: CallLeg[] } {
  const call = Object.assign(new Call(), {
    callUuid: '00000000-0000-4000-8000-000000000001',
    aLegUuid: A,
    bLegUuid: B,
    status: CallStatus.Queued,
    direction: 'click_to_call',
    fromNumber: '1001',
    toNumber: '0987654321',
    did: null,
    extension: '1001',
    ringPlan: null,
    answeredLegUuid: null,
    fromExtension: '1001',
    toPhone: '0987654321',
    callerId: '1001',
    trunkId: null,
    trunkName: null,
    routingMode: 'dialplan_default',
    routePlan: [
      { trunkId: 4, trunkName: 'first', dial: '0987654321' },
      { trunkId: 5, trunkName: 'second', dial: '0987654321' },
    ],
    headers: {},
    tokenId: 1,
    lastSequence: 0,
    lastCoreSequence: 0,
    disposition: null,
    hangupCause: null,
    hangupCauseText: null,
    hangupBy: null,
    transferLegUuid: null,
    transferredBy: null,
    transferredTo: null,
    record: false,
    createdAt: at(0),
    updatedAt: at(0),
    endedAt: null,
  } satisfies Call);
  const aLeg = Object.assign(new CallLeg(), {
    legUuid: A,
    channelId: A,
    callUuid: call.callUuid,
    leg: 'a',
    extension: '1001',
    endpoint: 'PJSIP/1001',
    trunkId: null,
    state: 'created',
    createdAt: at(0),
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    hangupCause: null,
    hangupCauseText: null,
    released: false,
    onHold: false,
  } satisfies CallLeg);
  return { call, legs: [aLeg] };
}

let ids = 0;
const newId = () => `event-${++ids}`;
const run = (changes: CallChange[]): Decision => {
  let { call, legs } = queuedCall();
  let last: Decision | null = null;
  for (const change of changes) {
    last = decide(call, legs, change, newId);
    ({ call, legs } = last);
  }
  return last!;
};

const ringA: CallChange = { kind: 'leg_ringing', channelId: A, at: at(1) };
const answerA: CallChange = { kind: 'leg_answered', channelId: A, at: at(3) };
const createB: CallChange = {
  kind: 'leg_created',
  legUuid: B,
  channelId: B,
  leg: 'b',
  extension: null,
  endpoint: 'PJSIP/0987654321@trunk-4',
  trunkId: 4,
  at: at(3),
};
const ringB: CallChange = { kind: 'leg_ringing', channelId: B, at: at(4) };
const answerB: CallChange = { kind: 'leg_answered', channelId: B, at: at(8) };
const endB: CallChange = { kind: 'leg_ended', channelId: B, at: at(20), cause: 16, causeText: 'Normal Clearing' };
const endA: CallChange = { kind: 'leg_ended', channelId: A, at: at(20.2), cause: 16, causeText: 'Normal Clearing' };
const HAPPY = [ringA, answerA, createB, ringB, answerB, endB, endA];

describe('decide', () => {
  it('walks the click-to-call happy path with its events in order', () => {
    const statuses: string[] = [];
    const types: string[] = [];
    let { call, legs } = queuedCall();
    for (const change of HAPPY) {
      const d = decide(call, legs, change, newId);
      expect(d.changed).toBe(true);
      statuses.push(d.call.status);
      types.push(...d.events.map((e) => `${e.type}:${e.leg}:${e.sequence}:${e.core_sequence ?? '-'}`));
      ({ call, legs } = d);
    }
    expect(statuses).toEqual([
      'ringing',
      'agent_answered',
      'agent_answered',
      'customer_ringing',
      'answered',
      'answered',
      'ended',
    ]);
    // the core events keep the numbers a click-to-call always had (Zorio sends by them)
    expect(types).toEqual([
      'pbx.call.ringing:a:1:1',
      'pbx.call.answered:a:2:2',
      'pbx.call.ringing:b:3:-',
      'pbx.call.answered:b:4:3',
      'pbx.call.leg_ended:b:5:-',
      'pbx.call.leg_ended:a:6:-',
      'pbx.call.hangup:b:7:4',
    ]);
    expect(call).toMatchObject({
      disposition: 'ANSWERED',
      hangupBy: 'b',
      hangupCause: 16,
      endedAt: at(20.2),
      lastSequence: 7,
      lastCoreSequence: 4,
    });
  });

  it('does not touch its inputs', () => {
    const { call, legs } = queuedCall();
    const before = JSON.stringify({ call, legs });
    decide(call, legs, answerA, newId);
    expect(JSON.stringify({ call, legs })).toBe(before);
  });

  it("a failover attempt decides the cause: the first trunk's failure is not the call's", () => {
    const createB2: CallChange = { ...createB, legUuid: B2, channelId: B2, trunkId: 5, at: at(9) } as CallChange;
    const d = run([
      ringA,
      answerA,
      createB,
      { kind: 'leg_ended', channelId: B, at: at(5), cause: 34, causeText: 'Circuit/channel congestion' },
      createB2,
      { kind: 'leg_ended', channelId: B2, at: at(12), cause: 17, causeText: 'User busy' },
      { ...endA, at: at(12.1), cause: 17 },
    ]);
    expect(d.call).toMatchObject({ status: 'ended', disposition: 'BUSY', hangupCause: 17, hangupBy: 'b' });
  });

  it('records the trunk a route actually used, for the events after it', () => {
    const d = run([ringA, answerA, createB, ringB, answerB]);
    expect(d.call).toMatchObject({ trunkId: 4, trunkName: 'first' });
    expect(d.events[0].call).toMatchObject({ trunk_id: 4, trunk_name: 'first' });
    expect(d.events[0]).toMatchObject({ party: 'external', leg_extension: null });
  });

  it('reports the moves it made: the call and the leg', () => {
    const d = run([ringA, answerA]);
    expect(d.callMove).toEqual({ from: 'ringing', to: 'agent_answered' });
    expect(d.legMove).toMatchObject({ from: 'ringing', to: 'answered', leg: { legUuid: A } });
  });

  it('a phone answering without ringing still gives ringing before answered', () => {
    const d = run([answerA]);
    expect(d.events.map((e) => e.type)).toEqual(['pbx.call.ringing', 'pbx.call.answered']);
  });

  it('refuses an illegal move without changing anything', () => {
    const { call, legs } = queuedCall();
    const d = decide(call, legs, ringB, newId); // unknown leg
    expect(d.changed).toBe(false);
  });

  // every prefix of several paths, and every change that could arrive there
  const paths: CallChange[][] = [
    HAPPY,
    [ringA, { ...endA, cause: 17, causeText: 'User busy' }],
    [
      ringA,
      answerA,
      createB,
      ringB,
      { ...endB, cause: 34 },
      {
        kind: 'leg_created',
        legUuid: B2,
        channelId: B2,
        leg: 'b',
        extension: null,
        endpoint: 'x',
        trunkId: 5,
        at: at(9),
      },
    ],
    [ringA, answerA, { kind: 'call_failed', at: at(5), cause: null, causeText: 'gone' }],
  ];
  const everyChange: CallChange[] = [
    ringA,
    answerA,
    createB,
    ringB,
    answerB,
    endB,
    endA,
    { kind: 'call_failed', at: at(30), cause: 38, causeText: 'x' },
  ];
  const states = paths.flatMap((path) => path.map((_, i) => path.slice(0, i)));

  it.each(
    states.flatMap((prefix) =>
      everyChange.map(
        (change) => [prefix.map((c) => c.kind).join(' > ') || 'queued', change.kind, prefix, change] as const,
      ),
    ),
  )('after [%s], %s applied twice changes nothing the second time', (_p, _c, prefix, change) => {
    let { call, legs } = queuedCall();
    for (const step of prefix) ({ call, legs } = decide(call, legs, step, newId));
    const once = decide(call, legs, change, newId);
    const twice = decide(once.call, once.legs, change, newId);
    expect(twice.changed).toBe(false);
    expect(twice.events).toEqual([]);
    expect(JSON.stringify({ call: twice.call, legs: twice.legs })).toBe(
      JSON.stringify({ call: once.call, legs: once.legs }),
    );
  });

  it('a repeated leg change (ARI reports answer twice) is changed: false and emits nothing', () => {
    const first = run([ringA, answerA]);
    const again = decide(first.call, first.legs, { ...answerA, at: at(4) }, newId);
    expect(again).toMatchObject({ changed: false, events: [] });
    expect(again.legs.find((l) => l.legUuid === A)?.answeredAt).toEqual(at(3));
  });
});
