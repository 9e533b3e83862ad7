import { CallEventType, Party } from '@pbx/call-events';
import { CallLeg } from '../persistence/call-leg.entity';
import { EventExtra } from './call-event.factory';

/** Adds the next event of the call being decided. */
export type EventOf = (
  type: CallEventType,
  at: Date,
  leg: { leg: 'a' | 'b'; uuid: string } | null,
  extra?: EventExtra,
) => void;

export const legRef = (leg: CallLeg) => ({ leg: leg.leg, uuid: leg.legUuid });

/** An extension's phone, or the far end through a trunk. */
export const partyOf = (leg: CallLeg): Party => (leg.extension !== null ? 'extension' : 'external');

/** What ringing, answered and leg_ended say of their leg. */
export const legFields = (leg: CallLeg): EventExtra => ({ party: partyOf(leg), leg_extension: leg.extension });
