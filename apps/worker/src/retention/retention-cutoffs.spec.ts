import { retentionCutoffs } from './retention-cutoffs';

describe('retention cutoffs', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const settings = { callsDays: 0, eventsDays: 30, webhookDeliveriesDays: 30, cdrMonths: 0 };

  it('counts days back from now, and 0 keeps that kind for ever', () => {
    expect(retentionCutoffs(now, settings)).toEqual({
      events: new Date('2026-10-31T12:00:00Z'),
      calls: null,
      deliveries: new Date('2026-10-31T12:00:00Z'),
      cdrs: null,
    });
    expect(retentionCutoffs(now, { callsDays: 0, eventsDays: 0, webhookDeliveriesDays: 0, cdrMonths: 0 })).toEqual({
      events: null,
      calls: null,
      deliveries: null,
      cdrs: null,
    });
  });

  it('never lets an event younger than 24 h go', () => {
    const { events } = retentionCutoffs(now, { ...settings, eventsDays: 1 });
    expect(now.getTime() - events!.getTime()).toBe(86_400_000);
  });

  it('keeps CDRs by whole months: this month and N whole months before it', () => {
    expect(retentionCutoffs(now, { ...settings, cdrMonths: 12 }).cdrs).toEqual(new Date('2025-11-01T00:00:00Z'));
    expect(retentionCutoffs(new Date('2027-01-01T00:00:00Z'), { ...settings, cdrMonths: 1 }).cdrs).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
    expect(retentionCutoffs(now, { ...settings, callsDays: 365 }).calls).toEqual(new Date('2025-11-30T12:00:00Z'));
  });
});
