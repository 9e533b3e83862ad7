import { decodeAppArgs, StasisEntry } from '../app-args';
import { AriConnection, AriEvent } from './ari.connection';

/** What happens to a channel, in the domain's words (ARI's event names stay here). */
export type ChannelEvent =
  | {
      type: 'entered';
      channelId: string;
      entry: StasisEntry;
      callerNumber: string | null;
      exten: string | null;
      at: Date;
    }
  | { type: 'ringing'; channelId: string; at: Date }
  | { type: 'answered'; channelId: string; at: Date }
  | { type: 'destroyed'; channelId: string; cause: number | null; causeText: string | null; at: Date };

type RawChannel = { id: string; state?: string; caller?: { number?: string }; dialplan?: { exten?: string } };
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
      const { id, caller, dialplan } = event.channel;
      this.emit({
        type: 'entered',
        channelId: id,
        entry: decodeAppArgs(event.args),
        callerNumber: caller?.number || null,
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

/** Asterisk's own time of the event, so order and durations do not depend on our queueing. */
function timeOf(event: { timestamp?: string }): Date {
  const at = event.timestamp ? new Date(event.timestamp) : new Date();
  return Number.isNaN(at.getTime()) ? new Date() : at;
}
