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
 * What asks a desk phone to answer at once, in each vendor's dialect (SPEC section 3): Call-Info
 * answer-after (Yealink, Grandstream, Snom, Cisco SPA), Alert-Info alert-autoanswer (Polycom),
 * Answer-Mode (RFC 5373), P-Auto-answer (older Snom). Asterisk adds them as plain headers; the
 * URIs only need to be absolute, so both name the PBX by its realm.
 */
export function autoAnswerHeaders(realm: string): Record<string, string> {
  return {
    'Call-Info': `<sip:${realm}>;answer-after=0`,
    'Alert-Info': `<sip:${realm}>;info=alert-autoanswer;delay=0`,
    'Answer-Mode': 'Auto',
    'P-Auto-answer': 'normal',
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

  /** Every leg's absolute limit, set at creation: Asterisk ends the leg then, whatever happens to us. */
  private limited(variables: Record<string, string>): Record<string, string> {
    return { ...variables, 'TIMEOUT(absolute)': String(this.config.calls.maxCallSeconds) };
  }

  /** A-leg: ring the agent's extension, showing the customer's number; `autoAnswer` asks the phone to pick up itself. */
  async dialAgent(opts: {
    callUuid: string;
    legUuid: string;
    extension: string;
    customer: string;
    autoAnswer: boolean;
  }): Promise<void> {
    const variables = this.limited(callerIdVariables(opts.customer));
    if (opts.autoAnswer)
      for (const [name, value] of Object.entries(autoAnswerHeaders(this.config.sip.realm)))
        variables[`PJSIP_HEADER(add,${name})`] = value;
    await this.asterisk.createAndDial({
      channelId: opts.legUuid,
      endpoint: extensionDialString(opts.extension),
      leg: 'a',
      callUuid: opts.callUuid,
      variables,
      timeoutSeconds: this.config.calls.agentRingTimeoutSeconds,
    });
  }

  /** A callee extension's phones, for a caller that called in (carrier or phone), showing the caller's number. */
  async dialExtension(opts: {
    callUuid: string;
    legUuid: string;
    callerChannel: string;
    extension: string;
    callerNumber: string;
    timeoutSeconds: number;
    /** a transfer's new leg takes the released leg's letter */
    leg?: 'a' | 'b';
  }): Promise<void> {
    await this.asterisk.createAndDial({
      channelId: opts.legUuid,
      endpoint: extensionDialString(opts.extension),
      leg: opts.leg ?? 'b',
      callUuid: opts.callUuid,
      originator: opts.callerChannel,
      variables: this.limited(callerIdVariables(opts.callerNumber)),
      timeoutSeconds: opts.timeoutSeconds,
    });
  }

  /** B-leg: the customer through a trunk, with our caller id (From and P-Asserted-Identity) and X- headers. */
  async dialCustomer(opts: {
    callUuid: string;
    legUuid: string;
    /** the caller's channel: the callee inherits its formats and linkedid */
    callerChannel: string;
    trunkId: number;
    dial: string;
    callerId: string;
    headers: Record<string, string>;
    /** a transfer's new leg takes the released leg's letter */
    leg?: 'a' | 'b';
    timeoutSeconds?: number;
  }): Promise<void> {
    const variables = this.limited(callerIdVariables(opts.callerId));
    for (const [key, value] of Object.entries(opts.headers)) variables[`PJSIP_HEADER(add,X-${key})`] = value;
    await this.asterisk.createAndDial({
      channelId: opts.legUuid,
      endpoint: trunkDialString(opts.trunkId, opts.dial),
      leg: opts.leg ?? 'b',
      callUuid: opts.callUuid,
      // the B-leg inherits the A-leg's formats (and linkedid) from its originator
      originator: opts.callerChannel,
      variables,
      timeoutSeconds: opts.timeoutSeconds ?? this.config.calls.customerRingTimeoutSeconds,
    });
  }
}
