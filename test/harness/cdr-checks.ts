/** A CDR's times as the database row, GET /api/pbx/cdrs or pbx.cdr.created shows them (ISO strings). */
export interface CdrTimes {
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration: number;
  billsec: number;
  disposition: string;
}

/** The CDR fields of a row (Date columns) or of a JSON body (ISO strings), in one shape to compare. */
export function cdrTimes(source: Record<string, unknown>): CdrTimes {
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : (value as string | null));
  return {
    started_at: iso(source.started_at) as string,
    answered_at: iso(source.answered_at),
    ended_at: iso(source.ended_at) as string,
    duration: Number(source.duration),
    billsec: Number(source.billsec),
    disposition: String(source.disposition),
  };
}

/**
 * duration runs from the start to the end, billsec from the customer's answer to the end (whole
 * seconds, either rounding), and is 0 for a call nobody answered; duration ≥ billsec.
 */
export function expectBillsec(cdr: CdrTimes): void {
  const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
  const within = (value: number, exact: number) => ({ value, exact, within: Math.abs(value - exact) < 1 });
  expect(within(cdr.duration, seconds(cdr.started_at, cdr.ended_at))).toMatchObject({ within: true });
  expect(cdr.duration).toBeGreaterThanOrEqual(cdr.billsec);
  if (cdr.disposition === 'ANSWERED') {
    expect(cdr.answered_at).not.toBeNull();
    expect(within(cdr.billsec, seconds(cdr.answered_at as string, cdr.ended_at))).toMatchObject({ within: true });
  } else {
    expect({ disposition: cdr.disposition, answered_at: cdr.answered_at, billsec: cdr.billsec }).toEqual({
      disposition: cdr.disposition,
      answered_at: null,
      billsec: 0,
    });
  }
}
