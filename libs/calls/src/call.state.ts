/**
 * Call state: an explicit enum and transition table. Every change goes through
 * CallStateFunnel, which refuses transitions not listed here.
 *
 *   queued ──► ringing ──► agent_answered ──► customer_ringing ──► answered
 *     │           │               │                  │                │
 *     └───────────┴───────────────┴──────────────────┴────────────────┴──► ended
 */
export enum CallStatus {
  Queued = 'queued',
  Ringing = 'ringing', // A-leg (agent's extension) rings
  AgentAnswered = 'agent_answered', // A answered, B being dialed
  CustomerRinging = 'customer_ringing', // B-leg rings at the carrier
  Answered = 'answered', // B answered, both bridged
  Ended = 'ended',
}

const TRANSITIONS: Record<CallStatus, readonly CallStatus[]> = {
  [CallStatus.Queued]: [CallStatus.Ringing, CallStatus.AgentAnswered, CallStatus.Ended],
  [CallStatus.Ringing]: [CallStatus.AgentAnswered, CallStatus.Ended],
  [CallStatus.AgentAnswered]: [CallStatus.CustomerRinging, CallStatus.Answered, CallStatus.Ended],
  [CallStatus.CustomerRinging]: [CallStatus.Answered, CallStatus.Ended],
  [CallStatus.Answered]: [CallStatus.Ended],
  [CallStatus.Ended]: [],
};

/** Order of states along the happy path, to recognise a replayed (already applied) change. */
const RANK: Record<CallStatus, number> = {
  [CallStatus.Queued]: 0,
  [CallStatus.Ringing]: 1,
  [CallStatus.AgentAnswered]: 2,
  [CallStatus.CustomerRinging]: 3,
  [CallStatus.Answered]: 4,
  [CallStatus.Ended]: 5,
};

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True when the call is already at or past `to`: applying it again must change nothing. */
export function alreadyReached(current: CallStatus, to: CallStatus): boolean {
  return RANK[current] >= RANK[to];
}
