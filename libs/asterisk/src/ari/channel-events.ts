import { decodeAppArgs, StasisEntry } from '../app-args';
import { AriConnection, AriEvent } from './ari.connection';

/** What happens to a channel, in the domain's words (ARI's event names stay here). */
export type ChannelEvent =
  | {
      type: 'entered';
      channelId: string;
      /** `PJSIP/<endpoint>-<seq>` (endpointOfChannelName), `Local/…` */
      name: string | null;
      entry: StasisEntry;
      callerNumber: string | null;
      /** the dialplan context and extension the channel was in when it entered Stasis */
      context: string | null;
      exten: string | null;
      at: Date;
    }
  | { type: 'ringing'; channelId: string; at: Date }
  | { type: 'answered'; channelId: string; at: Date }
  | { type: 'destroyed'; channelId: string; cause: number | null; causeText: string | null; at: Date }
  | TransferRequested;

/**
 * A phone asked for a transfer (SIP REFER on a channel with ari-only transfer handling): Asterisk
 * answered 202 and did nothing else; the phone waits for Asterisk.transferProgress.
 */
export interface TransferRequested {
  type: 'transfer_requested';
  /** the channel the REFER came in on: the transferor's leg (the one to release) */
  channelId: string;
  /** blind: the Refer-To user part when it is a number (1 to 20 digits, one leading + allowed), else null */
  target: string | null;
  /**
   * the Refer-To user part as received (percent-decoding done by Asterisk): network input, for
   * logs only, never into a dial string; `2001;x=1` or `2001?X-A=b` arrive as they are
   */
  requested: string | null;
  /** attended (Refer-To with Replaces): the SIP Call-ID of the phone's other call; null for blind */
  replacesCallId: string | null;
  /** the channel bridged with the transferor when the REFER came: the party to keep; null when none */
  keptChannelId: string | null;
  bridgeId: string | null;
  at: Date;
}

type RawChannel = {
  id: string;
  name?: string;
  state?: string;
  caller?: { number?: string };
  dialplan?: { context?: string; exten?: string };
};
type Raw = AriEvent & {
  channel?: RawChannel;
  peer?: RawChannel;
  args?: string[];
  dialstatus?: string;
  cause?: number;
  cause_txt?: string;
};

/**
 * Turns the ARI events of our Stasis app into ChannelEvents. A leg's ringing and answer are
 * reported twice by ARI (its own ChannelStateChange, and the Dial event on the dialled peer);
 * both are passed on, and the call state tables ignore the repeat.
 */
export class ChannelEvents {
  private readonly listeners: Array<(event: ChannelEvent) => void> = [];

  constructor(ari: AriConnection) {
    ari.on('StasisStart', (event: Raw) => {
      if (!event.channel) return;
      const { id, name, caller, dialplan } = event.channel;
      this.emit({
        type: 'entered',
        channelId: id,
        name: name || null,
        entry: decodeAppArgs(event.args),
        callerNumber: caller?.number || null,
        context: dialplan?.context || null,
        exten: dialplan?.exten || null,
        at: timeOf(event),
      });
    });
    ari.on('ChannelStateChange', (event: Raw) => {
      const channel = event.channel;
      if (channel?.state === 'Ringing') this.emit({ type: 'ringing', channelId: channel.id, at: timeOf(event) });
      else if (channel?.state === 'Up') this.emit({ type: 'answered', channelId: channel.id, at: timeOf(event) });
    });
    ari.on('Dial', (event: Raw) => {
      const peer = event.peer;
      if (!peer) return;
      if (event.dialstatus === 'RINGING' || event.dialstatus === 'PROGRESS')
        this.emit({ type: 'ringing', channelId: peer.id, at: timeOf(event) });
      if (event.dialstatus === 'ANSWER') this.emit({ type: 'answered', channelId: peer.id, at: timeOf(event) });
    });
    ari.on('ChannelTransfer', (event: AriEvent) => {
      const request = transferRequestOf(event);
      if (request) this.emit(request);
    });
    ari.on('ChannelDestroyed', (event: Raw) => {
      if (!event.channel) return;
      this.emit({
        type: 'destroyed',
        channelId: event.channel.id,
        cause: event.cause ?? null,
        causeText: event.cause_txt ?? null,
        at: timeOf(event),
      });
    });
  }

  on(listener: (event: ChannelEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(event: ChannelEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Refer-To user parts we take as a transfer target: the dialplan's number shape (extensions.conf). */
const NUMBER = /^\+?[0-9]{1,20}$/;

type RawTransfer = AriEvent & {
  state?: string;
  refer_to?: { requested_destination?: { destination?: string; protocol_id?: string } };
  referred_by?: { source_channel?: RawChannel; connected_channel?: RawChannel; bridge?: { id?: string } };
};

/**
 * The request in a ChannelTransfer event (Asterisk 22.10.1, recorded in channel-events.spec.ts),
 * or null for the events that are not one: Asterisk repeats ChannelTransfer with `state` set for
 * each transfer_progress we send (our own answer, echoed). A REFER still pending when its call
 * is torn down is repeated once more without `state`, and without connected channel or bridge
 * (Asterisk has already sent the phone NOTIFY 503 then).
 */
export function transferRequestOf(event: AriEvent): TransferRequested | null {
  const raw = event as RawTransfer;
  const source = raw.referred_by?.source_channel;
  if (raw.type !== 'ChannelTransfer' || raw.state || !source?.id) return null;
  const destination = raw.refer_to?.requested_destination;
  const requested = typeof destination?.destination === 'string' ? destination.destination : null;
  return {
    type: 'transfer_requested',
    channelId: source.id,
    target: requested !== null && NUMBER.test(requested) ? requested : null,
    requested,
    replacesCallId: destination?.protocol_id || null,
    keptChannelId: raw.referred_by?.connected_channel?.id || null,
    bridgeId: raw.referred_by?.bridge?.id || null,
    at: timeOf(raw),
  };
}

/** Asterisk's own time of the event, so order and durations do not depend on our queueing. */
function timeOf(event: { timestamp?: string }): Date {
  const at = event.timestamp ? new Date(event.timestamp) : new Date();
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
