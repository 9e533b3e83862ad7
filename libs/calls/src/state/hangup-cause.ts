import { Disposition, HangupBy } from '@pbx/call-events';

/** Q.850 causes we act on. */
export const Cause = {
  Unallocated: 1,
  NoRoute: 3,
  Normal: 16,
  UserBusy: 17,
  NoUserResponse: 18,
  NoAnswer: 19,
  SubscriberAbsent: 20,
  CallRejected: 21,
  AnsweredElsewhere: 26,
  DestinationOutOfOrder: 27,
  NormalUnspecified: 31,
  NoCircuit: 34,
  NetworkOutOfOrder: 38,
  TemporaryFailure: 41,
  Congestion: 42,
  BearerCapabilityNotAvail: 58,
  Interworking: 127,
} as const;

/** The trunk could not carry the call: worth trying the next trunk of the route. */
export function isTrunkUnavailable(cause: number | null): boolean {
  return (
    cause !== null &&
    (
      [
        Cause.NoRoute,
        Cause.DestinationOutOfOrder,
        Cause.NoCircuit,
        Cause.NetworkOutOfOrder,
        Cause.TemporaryFailure,
        Cause.Congestion,
      ] as number[]
    ).includes(cause)
  );
}

/** Disposition of a leg that ended without being answered, from its cause. */
export function unansweredDisposition(cause: number | null): Disposition {
  switch (cause) {
    case Cause.UserBusy:
    case Cause.CallRejected: // a declined call (603) reads as busy to a CRM
      return 'BUSY';
    case Cause.NoUserResponse:
    case Cause.NoAnswer:
      return 'NO ANSWER';
    default:
      return 'FAILED';
  }
}

export interface LegOutcome {
  answered: boolean;
  cause: number | null;
  /** ended before the other leg did */
  endedFirst: boolean;
}

/** The call's disposition from its two legs (b is null when the B-leg was never dialed). */
export function callDisposition(a: LegOutcome, b: LegOutcome | null): Disposition {
  if (b?.answered) return 'ANSWERED';
  if (!a.answered) return unansweredDisposition(a.cause);
  if (!b) return a.endedFirst ? 'CANCELLED' : 'FAILED';
  // agent answered, customer did not: who gave up first?
  if (a.endedFirst) return 'CANCELLED';
  return unansweredDisposition(b.cause);
}

export type HangupSide = HangupBy;

const CAUSE_TEXT: Record<number, string> = {
  1: 'Unallocated (unassigned) number',
  3: 'No route to destination',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  27: 'Destination out of order',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  41: 'Temporary failure',
  42: 'Switching equipment congestion',
};

/** Q.850 text for a cause Asterisk reported only by number (CEL). */
export function causeText(cause: number | null): string | null {
  return cause === null ? null : (CAUSE_TEXT[cause] ?? `cause ${cause}`);
}
