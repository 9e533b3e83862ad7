/**
 * Leg state, with its own transition table. A leg may answer without ringing first (a phone
 * that answers without a 180), and end from any state; nothing follows `ended`.
 */
export type LegState = 'created' | 'ringing' | 'answered' | 'ended';

export const LEG_STATES: readonly LegState[] = ['created', 'ringing', 'answered', 'ended'];

const LEG_TRANSITIONS: Record<LegState, readonly LegState[]> = {
  created: ['ringing', 'answered', 'ended'],
  ringing: ['answered', 'ended'],
  answered: ['ended'],
  ended: [],
};

/**
 * What moving a leg to `to` means: `move` (legal and new), `repeat` (already there or past it:
 * ARI reports a leg's ringing and answer twice, and the worker replays after a restart), or
 * `illegal`.
 */
export function legMove(from: LegState, to: LegState): 'move' | 'repeat' | 'illegal' {
  if (LEG_TRANSITIONS[from].includes(to)) return 'move';
  if (LEG_STATES.indexOf(from) >= LEG_STATES.indexOf(to)) return 'repeat';
  return 'illegal';
}
