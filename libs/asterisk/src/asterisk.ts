import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { encodeAppArgs } from './app-args';
import { AriConnection, AriEvent } from './ari/ari.connection';
import { AriError } from './ari/ari-error';
import { ChannelEvent, ChannelEvents } from './ari/channel-events';
import { HangupReason, hangupReasonFor } from './hangup-reason';
import { extensionDialString } from './dial-string';
import { DeviceStateChange, deviceStateOfEndpoint, extensionOfDevice, stateOfDevice } from './device-state';

/** The ARI event source of an extension's device state. */
function deviceStateSource(extension: string): string {
  return `deviceState:${extensionDialString(extension)}`;
}

/** chan_pjsip's per-channel switch (Asterisk 22.3+): a REFER becomes a ChannelTransfer event. */
const ARI_ONLY_TRANSFERS = { 'PJSIP_TRANSFER_HANDLING()': 'ari-only' };

/** What the phone that asked for a transfer is told (transferProgress). */
export type TransferProgress = 'trying' | 'succeeded' | 'declined' | 'unavailable';
const TRANSFER_STATES: Record<TransferProgress, string> = {
  trying: 'channel_progress',
  succeeded: 'channel_answered',
  declined: 'channel_declined',
  unavailable: 'channel_unavailable',
};

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

  /**
   * Device state changes of the extensions subscribed with subscribeDeviceState (ARI
   * DeviceStateChanged). Measured on Asterisk 22 with PJSIP realtime endpoints: a phone's
   * REGISTER or un-REGISTER sends none (the endpoint stays `offline` whatever its contacts), a call
   * sends RINGING, INUSE, then UNAVAILABLE once over (never NOT_INUSE): registration must come
   * from the contacts (RegistrationsService).
   */
  onDeviceStateChanged(listener: (change: DeviceStateChange) => void): void {
    this.ari.on('DeviceStateChanged', (event: AriEvent & { device_state?: { name?: string; state?: string } }) => {
      const extension = extensionOfDevice(event.device_state?.name ?? '');
      if (!extension) return;
      const deviceState = event.device_state?.state ?? 'UNKNOWN';
      const at = event.timestamp ? new Date(event.timestamp) : new Date();
      listener({
        extension,
        deviceState,
        state: stateOfDevice(deviceState),
        at: isNaN(at.getTime()) ? new Date() : at,
      });
    });
  }

  /**
   * The device state of an extension's phone now (Asterisk's name, e.g. INUSE), as chan_pjsip
   * derives it from the endpoint and its channels: ARI's /deviceStates only knows `Stasis:` devices
   * (404 for PJSIP/<ext>). An endpoint Asterisk does not know is INVALID.
   */
  async deviceState(extension: string): Promise<string> {
    let endpoint: { state?: string; channel_ids?: string[] } | null;
    try {
      endpoint = (await this.ari.rest('GET', `/endpoints/PJSIP/${encodeURIComponent(extension)}`)) as typeof endpoint;
    } catch (error) {
      if (AriError.is(error, 'not_found')) return 'INVALID';
      throw error;
    }
    const states: string[] = [];
    for (const channelId of endpoint?.channel_ids ?? []) {
      try {
        const channel = (await this.ari.rest('GET', `/channels/${encodeURIComponent(channelId)}`)) as {
          state?: string;
        } | null;
        if (channel?.state) states.push(channel.state);
      } catch (error) {
        if (!AriError.is(error, 'not_found')) throw error; // gone meanwhile
      }
    }
    return deviceStateOfEndpoint(endpoint?.state ?? 'unknown', states);
  }

  /** Runs after every (re)connection of the events link. */
  onConnected(listener: () => void): void {
    this.ari.on('connected', listener);
  }

  /**
   * channels/create puts the channel in our app with our id (every event of it reaches us), then
   * dial. Every leg hands a SIP REFER to us (ari-only transfer handling, as the dialplan does for
   * the channels that call in): Asterisk never carries out a transfer by itself.
   */
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
      { variables: { ...dial.variables, ...ARI_ONLY_TRANSFERS } },
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

  /** Answers a channel that called in (the carrier's or a phone's), once a callee took the call. */
  async answer(channelId: string): Promise<void> {
    await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/answer`);
  }

  /**
   * Sends the HOLD indication to the channel itself: chan_pjsip then plays music on hold to that
   * channel, while its own voice still reaches the bridge (measured in test/audio.e2e-spec.ts).
   * Not how a party is put on hold for the other one: see holdParty.
   */
  async hold(channelId: string): Promise<void> {
    await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/hold`);
  }

  async unhold(channelId: string): Promise<void> {
    await this.ari.rest('DELETE', `/channels/${encodeURIComponent(channelId)}/hold`);
  }

  /**
   * One party of a bridged call puts the other on hold: `heldChannel` hears music on hold
   * (musiconhold.conf; Asterisk falls back to `default` for a class it does not have) and nothing
   * `holderChannel` says reaches the bridge; the holder still hears the held party. The music is
   * played to the held channel itself (channels/{id}/moh), and while it plays the bridge's audio
   * to that channel is dropped; the holder is muted first all the same, so that no word slips
   * through before the music starts or should it stop (muted alone, the held party hears
   * silence). channels/{id}/hold is not the way: it plays the music to the channel named and lets
   * its voice through (test/audio.e2e-spec.ts measures both).
   */
  async holdParty(holderChannel: string, heldChannel: string, mohClass = 'default'): Promise<void> {
    await this.ari.rest('POST', `/channels/${encodeURIComponent(holderChannel)}/mute`, { direction: 'in' });
    await this.ari.rest('POST', `/channels/${encodeURIComponent(heldChannel)}/moh`, { mohClass });
  }

  /** Undoes holdParty: the music stops, then the holder's voice reaches the bridge again. */
  async unholdParty(holderChannel: string, heldChannel: string): Promise<void> {
    await this.ari.rest('DELETE', `/channels/${encodeURIComponent(heldChannel)}/moh`);
    await this.ari.rest('DELETE', `/channels/${encodeURIComponent(holderChannel)}/mute`, { direction: 'in' });
  }

  /**
   * Tells the phone that asked for a transfer (a `transfer_requested` event on this channel)
   * how it goes, as a NOTIFY with a SIP fragment: `trying` 100 Trying (Asterisk sends no NOTIFY
   * of its own: send it at once), then one final answer that ends the phone's subscription:
   * `succeeded` 200 OK, `declined` 603 Decline, `unavailable` 503 Service Unavailable. A channel
   * without a pending REFER, or already answered, is no error and changes nothing; nor is a
   * channel already gone.
   */
  async transferProgress(channelId: string, progress: TransferProgress): Promise<void> {
    try {
      await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/transfer_progress`, {
        states: TRANSFER_STATES[progress],
      });
    } catch (error) {
      if (!AriError.is(error, 'not_found')) throw error;
    }
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

  /** One more channel into an existing bridge (a transfer's target, in place of the released leg). */
  async addToBridge(bridgeId: string, channelId: string): Promise<void> {
    await this.ari.rest('POST', `/bridges/${encodeURIComponent(bridgeId)}/addChannel`, { channel: channelId });
  }

  /** Takes a channel out of a bridge (it stays up, in our Stasis app); one already out is not an error. */
  async removeFromBridge(bridgeId: string, channelId: string): Promise<void> {
    try {
      await this.ari.rest('POST', `/bridges/${encodeURIComponent(bridgeId)}/removeChannel`, { channel: channelId });
    } catch (error) {
      if (!AriError.is(error, 'not_found') && !AriError.is(error, 'invalid_state')) throw error;
    }
  }

  /** Plays `media` (e.g. `tone:ring`) to everyone in a bridge, as playback `playbackId`. */
  async playToBridge(bridgeId: string, media: string, playbackId: string): Promise<void> {
    await this.ari.rest('POST', `/bridges/${encodeURIComponent(bridgeId)}/play/${encodeURIComponent(playbackId)}`, {
      media,
    });
  }

  /** Stops a playback; one already over is not an error. */
  async stopPlayback(playbackId: string): Promise<void> {
    try {
      await this.ari.rest('DELETE', `/playbacks/${encodeURIComponent(playbackId)}`);
    } catch (error) {
      if (!AriError.is(error, 'not_found')) throw error;
    }
  }

  /** Destroys a bridge; one that does not exist (never made, or gone) is not an error. */
  async destroyBridge(bridgeId: string): Promise<void> {
    try {
      await this.ari.rest('DELETE', `/bridges/${encodeURIComponent(bridgeId)}`);
    } catch (error) {
      if (!AriError.is(error, 'not_found')) throw error;
    }
  }

  /**
   * Records everything mixed in a bridge as the stored WAV recording `name` (SPEC section 3: the
   * bridge, not a channel: channels/record on a dialed channel fails on 22.10.1 after a 201).
   * An existing recording of that name is an error, never overwritten.
   */
  async recordBridge(bridgeId: string, name: string): Promise<void> {
    await this.ari.rest('POST', `/bridges/${encodeURIComponent(bridgeId)}/record`, {
      name,
      format: 'wav',
      ifExists: 'fail',
      terminateOn: 'none',
    });
  }

  /** Stops a live recording and keeps what it recorded (DELETE would discard it); one already over is not an error. */
  async stopRecording(name: string): Promise<void> {
    try {
      await this.ari.rest('POST', `/recordings/live/${encodeURIComponent(name)}/stop`);
    } catch (error) {
      if (!AriError.is(error, 'not_found')) throw error;
    }
  }

  /** The bytes of a stored recording (a WAV file), wherever Asterisk runs. */
  storedRecordingFile(name: string): Promise<Buffer> {
    return this.ari.restBytes(`/recordings/stored/${encodeURIComponent(name)}/file`);
  }

  /** Deletes a stored recording; one already gone is not an error. */
  async deleteStoredRecording(name: string): Promise<void> {
    try {
      await this.ari.rest('DELETE', `/recordings/stored/${encodeURIComponent(name)}`);
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
