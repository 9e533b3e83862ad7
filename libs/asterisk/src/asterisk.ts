import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { encodeAppArgs } from './app-args';
import { AriConnection } from './ari/ari.connection';
import { AriError } from './ari/ari-error';
import { ChannelEvent, ChannelEvents } from './ari/channel-events';
import { HangupReason, hangupReasonFor } from './hangup-reason';
import { extensionDialString } from './dial-string';

/** The ARI event source of an extension's device state. */
function deviceStateSource(extension: string): string {
  return `deviceState:${extensionDialString(extension)}`;
}

/** One leg to create in our Stasis app with our id, then dial. */
export interface LegDial {
  channelId: string;
  /** from dial-string.ts */
  endpoint: string;
  leg: 'a' | 'b';
  callUuid: string;
  /** the leg this one is dialled for: it inherits its formats and linkedid */
  originator?: string;
  variables: Record<string, string>;
  timeoutSeconds: number;
}

export interface LiveChannel {
  id: string;
  state: string;
}

/**
 * The domain's one way to speak to Asterisk: typed operations on channels, bridges and
 * endpoints, and typed channel events (channel-events.ts). ARI paths, dial strings and Stasis
 * arguments stay behind it. Hot-path requests go over our own keep-alive REST
 * (AriConnection.rest); listing channels for reconcile goes through ari-client under a deadline.
 */
@Injectable()
export class Asterisk {
  readonly events: ChannelEvents;

  constructor(
    private readonly ari: AriConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.events = new ChannelEvents(ari);
  }

  get connected(): boolean {
    return this.ari.connected;
  }

  /** When ARI was last lost: the best end time for channels that vanished meanwhile. */
  get lastLostAt(): Date | undefined {
    return this.ari.lastLostAt;
  }

  onChannelEvent(listener: (event: ChannelEvent) => void): void {
    this.events.on(listener);
  }

  /** Runs after every (re)connection of the events link. */
  onConnected(listener: () => void): void {
    this.ari.on('connected', listener);
  }

  /** channels/create puts the channel in our app with our id (every event of it reaches us), then dial. */
  async createAndDial(dial: LegDial): Promise<void> {
    await this.ari.rest(
      'POST',
      '/channels/create',
      {
        endpoint: dial.endpoint,
        app: this.config.ari.app,
        appArgs: encodeAppArgs({ kind: 'leg', leg: dial.leg, callUuid: dial.callUuid }),
        channelId: dial.channelId,
        ...(dial.originator ? { originator: dial.originator } : { formats: 'ulaw,alaw' }),
      },
      { variables: dial.variables },
    );
    await this.dialWhenInStasis(dial.channelId, dial.timeoutSeconds);
  }

  /**
   * channels/create returns before the new channel has entered the Stasis app; a dial sent in
   * that gap is refused with 409 (not in Stasis), so it is retried briefly.
   */
  private async dialWhenInStasis(channelId: string, timeoutSeconds: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/dial`, { timeout: timeoutSeconds });
        return;
      } catch (error) {
        if (attempt >= 20 || !AriError.is(error, 'not_in_stasis')) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5 * (attempt + 1), 50)));
      }
    }
  }

  /** Ringback to the channel (a caller waiting while we dial the other side). */
  async ring(channelId: string): Promise<void> {
    await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/ring`);
  }

  async stopRinging(channelId: string): Promise<void> {
    await this.ari.rest('DELETE', `/channels/${encodeURIComponent(channelId)}/ring`);
  }

  /** Hangs a channel up carrying a Q.850 cause (see hangup-reason.ts); one already gone is not an error. */
  hangupWithCause(channelId: string, cause: number | null): Promise<void> {
    return this.hangup(channelId, hangupReasonFor(cause));
  }

  /** Hangs a channel up; one already gone is not an error. */
  async hangup(channelId: string, reason: HangupReason = 'normal'): Promise<void> {
    try {
      await this.ari.rest('DELETE', `/channels/${encodeURIComponent(channelId)}`, { reason });
    } catch (error) {
      if (!AriError.is(error, 'not_found')) throw error;
    }
  }

  /** Puts a channel on hold (the other side hears music on hold when it is in a bridge). */
  async hold(channelId: string): Promise<void> {
    await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/hold`);
  }

  async unhold(channelId: string): Promise<void> {
    await this.ari.rest('DELETE', `/channels/${encodeURIComponent(channelId)}/hold`);
  }

  /** Sets a channel variable or function, e.g. TIMEOUT(absolute). */
  async setVariable(channelId: string, variable: string, value: string): Promise<void> {
    await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/variable`, { variable, value });
  }

  /**
   * Device-state events of one extension's phones on our Stasis app (`deviceState:PJSIP/<ext>`,
   * subscribed per device: subscribing to all device states would flood the app).
   */
  async subscribeDeviceState(extension: string): Promise<void> {
    await this.ari.rest('POST', `/applications/${encodeURIComponent(this.ari.appName)}/subscription`, {
      eventSource: deviceStateSource(extension),
    });
  }

  async unsubscribeDeviceState(extension: string): Promise<void> {
    try {
      await this.ari.rest('DELETE', `/applications/${encodeURIComponent(this.ari.appName)}/subscription`, {
        eventSource: deviceStateSource(extension),
      });
    } catch (error) {
      if (!AriError.is(error, 'not_found') && !AriError.is(error, 'invalid_state')) throw error;
    }
  }

  /** A mixing bridge with our id, and the channels in it. */
  async bridge(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.ari.rest('POST', '/bridges', { type: 'mixing', bridgeId, name: `call-${bridgeId}` });
    await this.ari.rest('POST', `/bridges/${encodeURIComponent(bridgeId)}/addChannel`, {
      channel: channelIds.join(','),
    });
  }

  /** Destroys a bridge; one that does not exist (never made, or gone) is not an error. */
  async destroyBridge(bridgeId: string): Promise<void> {
    try {
      await this.ari.rest('DELETE', `/bridges/${encodeURIComponent(bridgeId)}`);
    } catch (error) {
      if (!AriError.is(error, 'not_found')) throw error;
    }
  }

  /** Every channel Asterisk holds now (reconcile), under the REST deadline. */
  async liveChannels(): Promise<Map<string, LiveChannel>> {
    const channels = await this.ari.withClient('channels.list', (client) => client.channels.list());
    return new Map(channels.map((c) => [c.id, { id: c.id, state: c.state }]));
  }

  /** The channels up on a PJSIP endpoint; none when Asterisk has not loaded it (404). */
  async endpointChannels(endpointId: string): Promise<string[]> {
    try {
      const endpoint = (await this.ari.rest('GET', `/endpoints/PJSIP/${encodeURIComponent(endpointId)}`)) as {
        channel_ids?: string[];
      } | null;
      return endpoint?.channel_ids ?? [];
    } catch (error) {
      if (AriError.is(error, 'not_found')) return [];
      throw error;
    }
  }
}
