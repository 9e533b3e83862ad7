import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { Asterisk, extensionDialString, trunkDialString } from '@pbx/asterisk';

/** Caller id shown on a leg: number and name, and the connected line the other side sees. */
function callerIdVariables(number: string): Record<string, string> {
  return {
    'CALLERID(num)': number,
    'CALLERID(name)': number,
    'CONNECTEDLINE(num)': number,
    'CONNECTEDLINE(name)': number,
  };
}

/**
 * Creates a call's legs in our Stasis app with our ids and dials them (the hot path of every
 * call), so the app sees every event of a leg from its birth.
 */
@Injectable()
export class LegDialer {
  constructor(
    private readonly asterisk: Asterisk,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A-leg: ring the agent's extension, showing the customer's number. */
  async dialAgent(callUuid: string, legUuid: string, extension: string, customer: string): Promise<void> {
    await this.asterisk.createAndDial({
      channelId: legUuid,
      endpoint: extensionDialString(extension),
      leg: 'a',
      callUuid,
      variables: callerIdVariables(customer),
      timeoutSeconds: this.config.calls.agentRingTimeoutSeconds,
    });
  }

  /** B-leg: the customer through a trunk, with our caller id (From and P-Asserted-Identity) and X- headers. */
  async dialCustomer(opts: {
    callUuid: string;
    legUuid: string;
    aLegUuid: string;
    trunkId: number;
    dial: string;
    callerId: string;
    headers: Record<string, string>;
  }): Promise<void> {
    const variables = callerIdVariables(opts.callerId);
    for (const [key, value] of Object.entries(opts.headers)) variables[`PJSIP_HEADER(add,X-${key})`] = value;
    await this.asterisk.createAndDial({
      channelId: opts.legUuid,
      endpoint: trunkDialString(opts.trunkId, opts.dial),
      leg: 'b',
      callUuid: opts.callUuid,
      // the B-leg inherits the A-leg's formats (and linkedid) from its originator
      originator: opts.aLegUuid,
      variables,
      timeoutSeconds: this.config.calls.customerRingTimeoutSeconds,
    });
  }
}
