import { CallEventRecord } from './call-event';
import { pbxEventFromRecord } from './pbx-event.mapping';

const record: CallEventRecord = {
  id: 'e1',
  type: 'pbx.cdr.created',
  occurred_at: '2026-11-22T05:32:36.120Z',
  call_uuid: 'c1',
  sequence: 5,
  leg: 'a',
  leg_uuid: 'la',
  call: {
    call_uuid: 'c1',
    a_leg_uuid: 'la',
    b_leg_uuid: 'lb',
    from_extension: '1001',
    to_phone: '0987654321',
    caller_id: '1001',
    trunk_id: 4,
    trunk_name: 'POC',
    routing_mode: 'direct_gateway',
    status: 'ended',
    headers: { Ticket: 'T-42' },
  },
  hangup: { disposition: 'ANSWERED', cause: 16, cause_text: 'Normal Clearing', hangup_by: 'b' },
  cdr: {
    started_at: '2026-11-22T05:32:00.000Z',
    answered_at: null,
    ended_at: '2026-11-22T05:32:36.120Z',
    duration: 36,
    billsec: 0,
    disposition: 'ANSWERED',
  },
};

describe('pbxEventFromRecord', () => {
  it('reads every stored field under our own names', () => {
    expect(pbxEventFromRecord(record)).toEqual({
      id: 'e1',
      type: 'pbx.cdr.created',
      occurredAt: '2026-11-22T05:32:36.120Z',
      callUuid: 'c1',
      sequence: 5,
      leg: 'a',
      legUuid: 'la',
      call: {
        callUuid: 'c1',
        aLegUuid: 'la',
        bLegUuid: 'lb',
        fromExtension: '1001',
        toPhone: '0987654321',
        callerId: '1001',
        trunkId: 4,
        trunkName: 'POC',
        routingMode: 'direct_gateway',
        status: 'ended',
        headers: { Ticket: 'T-42' },
      },
      hangup: { disposition: 'ANSWERED', cause: 16, causeText: 'Normal Clearing', by: 'b' },
      cdr: {
        startedAt: '2026-11-22T05:32:00.000Z',
        answeredAt: null,
        endedAt: '2026-11-22T05:32:36.120Z',
        duration: 36,
        billsec: 0,
        disposition: 'ANSWERED',
      },
    });
  });

  it('gives null hangup and cdr to the events that carry none', () => {
    const { hangup: _h, cdr: _c, ...ringing } = { ...record, type: 'pbx.call.ringing' as const };
    expect(pbxEventFromRecord(ringing)).toMatchObject({ type: 'pbx.call.ringing', hangup: null, cdr: null });
  });

  it('refuses a payload that is not a call event record, naming the event', () => {
    expect(() => pbxEventFromRecord({} as CallEventRecord)).toThrow('stored event ? is not a call event record: no id');
    expect(() => pbxEventFromRecord({ ...record, type: 'pbx.call.transferred' as never })).toThrow(
      'stored event e1 is not a call event record: unknown type "pbx.call.transferred"',
    );
    expect(() => pbxEventFromRecord({ ...record, call: undefined as never })).toThrow(/e1 .*no call/);
    expect(() => pbxEventFromRecord(null as never)).toThrow(/not an object/);
  });
});
