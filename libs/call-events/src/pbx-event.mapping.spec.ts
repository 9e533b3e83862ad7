import { CALL_EVENT_TYPES, CallEventRecord, ExtensionEventRecord, PBX_EVENT_TYPES } from './call-event';
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
  it('reads every stored field under our own names (a record from before directions: a click-to-call)', () => {
    expect(pbxEventFromRecord(record)).toEqual({
      id: 'e1',
      type: 'pbx.cdr.created',
      occurredAt: '2026-11-22T05:32:36.120Z',
      callUuid: 'c1',
      sequence: 5,
      coreSequence: 5,
      leg: 'a',
      legUuid: 'la',
      party: null,
      legExtension: null,
      legHangup: null,
      missedReason: null,
      transfer: null,
      recording: null,
      call: {
        callUuid: 'c1',
        direction: 'click_to_call',
        fromNumber: '1001',
        toNumber: '0987654321',
        did: null,
        extension: '1001',
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

  it("reads a recording's events and a recorded call's CDR link", () => {
    const url = 'https://pbx.example.com/recordings/t.mp3';
    const { hangup: _h, cdr: _c, ...base } = record;
    expect(
      pbxEventFromRecord({ ...base, type: 'pbx.recording.ready', recording: { recording_url: url, duration: 12 } }),
    ).toMatchObject({ type: 'pbx.recording.ready', recording: { url, duration: 12, reason: null }, cdr: null });
    expect(
      pbxEventFromRecord({
        ...base,
        type: 'pbx.recording.failed',
        recording: { recording_url: url, reason: 'disk full' },
      }),
    ).toMatchObject({ recording: { url, duration: null, reason: 'disk full' } });
    expect(
      pbxEventFromRecord({ ...record, cdr: { ...record.cdr!, recording_url: url, recording_status: 'pending' } }).cdr,
    ).toMatchObject({ recordingUrl: url, recordingStatus: 'pending' });
    expect(pbxEventFromRecord(record).cdr).not.toHaveProperty('recordingUrl');
  });

  it('refuses a payload that is not a call event record, naming the event', () => {
    expect(() => pbxEventFromRecord({} as CallEventRecord)).toThrow('stored event ? is not a call event record: no id');
    expect(() => pbxEventFromRecord({ ...record, type: 'pbx.call.parked' as never })).toThrow(
      'stored event e1 is not a call event record: unknown type "pbx.call.parked"',
    );
    expect(() => pbxEventFromRecord({ ...record, call: undefined as never })).toThrow(/e1 .*no call/);
    expect(() => pbxEventFromRecord(null as never)).toThrow(/not an object/);
  });
});

describe('pbxEventFromRecord: an extension event', () => {
  const stored: ExtensionEventRecord = {
    id: 'x1',
    type: 'pbx.extension.state_changed',
    occurred_at: '2026-11-30T12:00:00.000Z',
    extension: { number: '1001', state: 'ringing', previous_state: 'idle' },
  };

  it('reads the extension, with no call', () => {
    expect(pbxEventFromRecord(stored)).toStrictEqual({
      id: 'x1',
      type: 'pbx.extension.state_changed',
      occurredAt: '2026-11-30T12:00:00.000Z',
      extension: { number: '1001', state: 'ringing', previousState: 'idle' },
    });
  });

  it('refuses one without its extension or with a state that is not ours', () => {
    expect(() => pbxEventFromRecord({ ...stored, extension: undefined as never })).toThrow(
      'stored event x1 is not an extension event record',
    );
    expect(() =>
      pbxEventFromRecord({ ...stored, extension: { ...stored.extension, state: 'INUSE' as never } }),
    ).toThrow(/x1 is not an extension event record/);
  });

  it('is not a call event type: subscriptions may list it, call views never carry it', () => {
    expect(CALL_EVENT_TYPES).not.toContain('pbx.extension.state_changed');
    expect(PBX_EVENT_TYPES).toContain('pbx.extension.state_changed');
  });
});
