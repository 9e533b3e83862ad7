import type { ExtensionState } from '@pbx/call-events';

/**
 * Asterisk's device states (ast_devstate_str: NOT_INUSE, INUSE, BUSY, INVALID, UNAVAILABLE,
 * RINGING, RINGINUSE, ONHOLD, UNKNOWN) in the domain's words (SPEC section 3, Live state).
 * RINGINUSE (a phone already in a call that rings again) is `in_call`: the person is talking.
 * Anything Asterisk may add later is `unavailable`, like UNKNOWN.
 */
export function stateOfDevice(deviceState: string): ExtensionState {
  switch (deviceState) {
    case 'NOT_INUSE':
      return 'idle';
    case 'RINGING':
      return 'ringing';
    case 'INUSE':
    case 'BUSY':
    case 'ONHOLD':
    case 'RINGINUSE':
      return 'in_call';
    default:
      return 'unavailable';
  }
}

/**
 * The device state chan_pjsip would give an endpoint from its snapshot (what ARI's endpoint
 * resource shows: `state` online/offline/unknown and its channels' states), for the initial read:
 * ARI's /deviceStates answers 404 for any device but a `Stasis:` one, so a subscription starts
 * from this. A ringing channel is RINGING, any other live one INUSE (both: RINGINUSE);
 * no live channel: NOT_INUSE when the endpoint is online, else UNAVAILABLE.
 */
export function deviceStateOfEndpoint(endpointState: string, channelStates: string[]): string {
  const live = channelStates.filter((s) => s !== 'Down');
  const ringing = live.some((s) => s === 'Ringing');
  const inUse = live.some((s) => s !== 'Ringing');
  if (ringing && inUse) return 'RINGINUSE';
  if (ringing) return 'RINGING';
  if (inUse) return 'INUSE';
  return endpointState === 'online' ? 'NOT_INUSE' : 'UNAVAILABLE';
}

/** `PJSIP/1001` → `1001`; null for a device that is not an extension's phone. */
export function extensionOfDevice(device: string): string | null {
  const match = /^PJSIP\/([0-9]{1,10})$/.exec(device);
  return match ? match[1] : null;
}

/** A device state change of an extension's phone (ARI DeviceStateChanged on `deviceState:PJSIP/<ext>`). */
export interface DeviceStateChange {
  extension: string;
  /** Asterisk's own name of the state (NOT_INUSE, RINGING, ...): for logs */
  deviceState: string;
  state: ExtensionState;
  at: Date;
}
