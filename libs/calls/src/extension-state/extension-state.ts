import { ExtensionState } from '@pbx/call-events';

/** What the worker knows of one extension's phone, from Asterisk. */
export interface ExtensionFacts {
  /** from its device state (stateOfDevice) */
  device: ExtensionState;
  /** a contact is registered (AMI contacts) */
  registered: boolean;
}

/**
 * The live state of an extension (SPEC section 3) from its facts. Asterisk's device state says
 * what the phone's calls do; for a PJSIP realtime endpoint it never says NOT_INUSE: the endpoint
 * stays `offline` whatever its contacts, so the device is UNAVAILABLE when no call is up, even for
 * a registered phone (measured on Asterisk 22, see Asterisk.onDeviceStateChanged). So a device
 * that is not ringing nor in a call is `idle` when a phone is registered, else `unavailable`.
 */
export function liveState(facts: ExtensionFacts): ExtensionState {
  if (facts.device !== 'unavailable') return facts.device;
  return facts.registered ? 'idle' : 'unavailable';
}

/**
 * Change detection, per extension: the facts as they come (device state events, registration,
 * the reads after a (re)connection) and the last state stored. `next` says what to store, or null
 * when the live state is the one stored already (a repeat of the same mapped state, or a fact
 * that changes nothing); `stored` records that it was stored. A store that failed is not
 * recorded, so the next fact tries again.
 */
export class ExtensionStateTracker {
  private readonly facts = new Map<string, ExtensionFacts>();
  private readonly stored = new Map<string, ExtensionState>();

  /** Starts from the state the database holds (only for an extension not known yet). */
  seed(extension: string, storedState: ExtensionState): void {
    if (this.stored.has(extension)) return;
    this.stored.set(extension, storedState);
    this.facts.set(extension, {
      device: storedState === 'idle' ? 'unavailable' : storedState,
      registered: storedState !== 'unavailable',
    });
  }

  /** Applies new facts; resolves the state to store, or null when nothing changes. */
  next(extension: string, facts: Partial<ExtensionFacts>): ExtensionState | null {
    const known = this.facts.get(extension) ?? { device: 'unavailable', registered: false };
    const updated = { ...known, ...facts };
    this.facts.set(extension, updated);
    const state = liveState(updated);
    return state === (this.stored.get(extension) ?? 'unavailable') ? null : state;
  }

  /** `state` is now in the database. */
  storedState(extension: string, state: ExtensionState): void {
    this.stored.set(extension, state);
  }

  forget(extension: string): void {
    this.facts.delete(extension);
    this.stored.delete(extension);
  }
}
