import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { AriConnection } from '@pbx/asterisk';

/**
 * Puts a leg's channel into our Stasis app and dials it (ARI channels/create + dial, sent
 * straight over HTTP: this is the hot path of every call), so the app sees every event of the
 * leg from its birth, with ids we chose.
 */
@Injectable()
export class LegDialer {
  constructor(
    private readonly ari: AriConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A-leg: ring the agent's extension, showing the customer's number. */
  async dialAgent(callUuid: string, legUuid: string, extension: string, customer: string): Promise<void> {
    await this.dial({
      legUuid,
      endpoint: `PJSIP/${extension}`,
      appArgs: `a,${callUuid}`,
      variables: { 'CALLERID(num)': customer, 'CALLERID(name)': customer, 'CONNECTEDLINE(num)': customer, 'CONNECTEDLINE(name)': customer },
      timeout: this.config.calls.agentRingTimeoutSeconds,
    });
  }

  /** B-leg: the customer through a trunk, with our caller id (From and P-Asserted-Identity) and X- headers. */
  async dialCustomer(opts: { callUuid: string; legUuid: string; aLegUuid: string; trunkId: number; dial: string; callerId: string; headers: Record<string, string> }): Promise<void> {
    const variables: Record<string, string> = {
      'CALLERID(num)': opts.callerId,
      'CALLERID(name)': opts.callerId,
      'CONNECTEDLINE(num)': opts.callerId,
      'CONNECTEDLINE(name)': opts.callerId,
    };
    for (const [key, value] of Object.entries(opts.headers)) variables[`PJSIP_HEADER(add,X-${key})`] = value;
    await this.dial({
      legUuid: opts.legUuid,
      endpoint: `PJSIP/${opts.dial}@trunk-${opts.trunkId}`,
      appArgs: `b,${opts.callUuid}`,
      originator: opts.aLegUuid,
      variables,
      timeout: this.config.calls.customerRingTimeoutSeconds,
    });
  }

  private async dial(opts: { legUuid: string; endpoint: string; appArgs: string; originator?: string; variables: Record<string, string>; timeout: number }): Promise<void> {
    await this.ari.rest(
      'POST',
      '/channels/create',
      {
        endpoint: opts.endpoint,
        app: this.config.ari.app,
        appArgs: opts.appArgs,
        channelId: opts.legUuid,
        // Asterisk takes either: the B-leg inherits the A-leg's formats (and linkedid) from its originator
        ...(opts.originator ? { originator: opts.originator } : { formats: 'ulaw,alaw' }),
      },
      { variables: opts.variables },
    );
    await this.dialWhenInStasis(opts.legUuid, opts.timeout);
  }

  /**
   * channels/create returns before the new channel has entered the Stasis app; a dial sent in
   * that gap is refused with "Channel not in Stasis application", so it is retried briefly.
   */
  private async dialWhenInStasis(channelId: string, timeout: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ari.rest('POST', `/channels/${encodeURIComponent(channelId)}/dial`, { timeout });
        return;
      } catch (error) {
        if (attempt >= 20 || !/not in Stasis/i.test(error instanceof Error ? error.message : String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5 * (attempt + 1), 50)));
      }
    }
  }
}
