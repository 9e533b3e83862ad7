/**
 * Call state: an explicit enum and transition table, direction-neutral. The legs have roles:
 * the caller's leg (a: the click-to-call agent, the calling phone, the carrier) and the
 * callee's legs (b: each extension or trunk we dial). The stored values of the two middle
 * states are the click-to-call names the API has always returned.
 *
 *   queued ──► ringing ──► caller_answered ──► callee_ringing ──► answered
 *     │           │  └──────────────────┴──────────────┬───────────┘ │
 *     └───────────┴───────────────────────────────────────────────────┴──► ended
 *
 * (`ringing`: some leg rings; `caller_answered`: the caller is up and waits for the callee;
 * `callee_ringing`: the callee rings for an answered caller; `answered`: a callee answered.)
 */
export enum CallStatus {
  Queued = 'queued',
  Ringing = 'ringing',
  /** click-to-call: the agent answered, the customer is being dialled */
  CallerAnswered = 'agent_answered',
  /** click-to-call: the customer's phone rings */
  CalleeRinging = 'customer_ringing',
  Answered = 'answered',
  Ended = 'ended',
}

const TRANSITIONS: Record<CallStatus, readonly CallStatus[]> = {
  [CallStatus.Queued]: [CallStatus.Ringing, CallStatus.CallerAnswered, CallStatus.Answered, CallStatus.Ended],
  [CallStatus.Ringing]: [CallStatus.CallerAnswered, CallStatus.Answered, CallStatus.Ended],
  [CallStatus.CallerAnswered]: [CallStatus.CalleeRinging, CallStatus.Answered, CallStatus.Ended],
  [CallStatus.CalleeRinging]: [CallStatus.Answered, CallStatus.Ended],
  [CallStatus.Answered]: [CallStatus.Ended],
  [CallStatus.Ended]: [],
};

/** Order of states along the way, to recognise a replayed (already applied) change. */
const RANK: Record<CallStatus, number> = {
  [CallStatus.Queued]: 0,
  [CallStatus.Ringing]: 1,
  [CallStatus.CallerAnswered]: 2,
  [CallStatus.CalleeRinging]: 3,
  [CallStatus.Answered]: 4,
  [CallStatus.Ended]: 5,
};

export const CALL_STATUSES = Object.values(CallStatus);

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True when the call is already at or past `to`: applying it again must change nothing. */
export function alreadyReached(current: CallStatus, to: CallStatus): boolean {
  return RANK[current] >= RANK[to];
}
