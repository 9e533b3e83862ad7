/** ARI's hangup reasons (DELETE /channels/{id}?reason=). */
export type HangupReason =
  'normal' | 'busy' | 'congestion' | 'no_answer' | 'rejected' | 'unallocated' | 'answered_elsewhere';

/** The ARI reason that carries a Q.850 cause to the channel being hung up (and on to its phone or carrier). */
export function hangupReasonFor(cause: number | null): HangupReason {
  switch (cause) {
    case 17:
      return 'busy';
    case 18:
    case 19:
      return 'no_answer';
    case 21:
      return 'rejected';
    case 1:
      return 'unallocated';
    case 26: // the phone sees Reason: SIP;cause=200;text="Call completed elsewhere"
      return 'answered_elsewhere';
    case 34:
    case 38:
    case 41:
    case 42:
      return 'congestion';
    default:
      return 'normal';
  }
}
