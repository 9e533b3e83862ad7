import { CdrInput, cdrEventFields, cdrRow } from './cdr-record';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 30, 10, 0, 0) + seconds * 1000);
const base: CdrInput = {
  callUuid: '00000000-0000-4000-8000-000000000001',
  direction: 'click_to_call',
  fromNumber: '1001',
  toNumber: '0987654321',
  did: null,
  extension: '1001',
  fromExtension: '1001',
  toPhone: '0987654321',
  callerId: '1001',
  trunkId: 4,
  trunkName: 'POC',
  routingMode: 'direct_gateway',
  startedAt: at(0),
  endedAt: at(20),
  disposition: 'ANSWERED',
  hangupCause: 16,
  hangupCauseText: 'Normal Clearing',
  hangupBy: 'b',
  caller: { uuid: 'a', startedAt: at(0), answeredAt: at(3), endedAt: at(20) },
  callee: { uuid: 'b', startedAt: at(3), answeredAt: at(7.4), endedAt: at(20) },
  headers: {},
};

describe('cdrRow', () => {
  it('counts duration from the start and billsec from the callee answer', () => {
    const row = cdrRow(base);
    expect(row).toMatchObject({ duration: 20, billsec: 13, answeredAt: at(7.4), bLegUuid: 'b', aAnsweredAt: at(3) });
    expect(row.duration!).toBeGreaterThanOrEqual(row.billsec!);
    expect(cdrEventFields(row)).toEqual({
      started_at: at(0).toISOString(),
      answered_at: at(7.4).toISOString(),
      ended_at: at(20).toISOString(),
      duration: 20,
      billsec: 13,
      disposition: 'ANSWERED',
    });
  });

  it('bills nothing when the callee never answered, even if the caller did', () => {
    for (const disposition of ['NO ANSWER', 'BUSY', 'CANCELLED'] as const) {
      const row = cdrRow({
        ...base,
        disposition,
        callee: { uuid: 'b', startedAt: at(3), answeredAt: null, endedAt: at(20) },
      });
      expect(row).toMatchObject({ billsec: 0, duration: 20, answeredAt: null });
    }
    expect(cdrRow({ ...base, disposition: 'FAILED', callee: null })).toMatchObject({ billsec: 0, bLegUuid: null });
  });
});
