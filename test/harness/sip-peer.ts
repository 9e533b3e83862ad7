import * as ari from 'ari-client';
import { AsteriskInstance } from '../../asterisk/local/asterisk-instance';
import { TestContext } from './test-context';

/** What a desk phone or the carrier does with a call that reaches it. */
export type Behavior =
  | { kind: 'ring' } // 180 and keep ringing (no answer)
  | { kind: 'answer'; afterMs?: number; hangupAfterMs?: number }
  | { kind: 'reject'; cause: 'busy' | 'congestion' | 'normal' } // 486 / 503 / 603-ish
  | { kind: 'ignore' }; // no provisional answer at all

export interface ReceivedCall {
  channelId: string;
  /** `phone-<number>` for a desk phone, the dialled number for the carrier */
  exten: string;
  callerNumber: string;
  callerName: string;
  /** X- headers of the INVITE, by name */
  headers: Record<string, string>;
  /** the INVITE's From and P-Asserted-Identity headers as received (the endpoint trusts PAI, so callerNumber alone cannot tell them apart) */
  from: string;
  pAssertedIdentity: string;
  answered: boolean;
  ended: boolean;
  /** what went wrong carrying out the behavior, if anything */
  error?: string;
}

interface Phone {
  number: string;
  password: string;
}

/**
 * The SIP test peer: a second Asterisk whose phones register to the PBX as its extensions and
 * whose carrier port receives the PBX's trunk calls. Every call reaching it lands in this
 * harness's Stasis app, which answers, rejects or lets it ring as each test asks.
 */
export class SipPeer {
  readonly calls: ReceivedCall[] = [];
  private readonly phones = new Map<string, Phone>();
  private readonly behaviors = new Map<string, Behavior>();
  private defaultBehavior: Behavior = { kind: 'ring' };
  /** read caller id details and X- headers of each call (costs a few ARI requests a call) */
  recordDetails = true;

  private constructor(
    private readonly context: TestContext,
    readonly asterisk: AsteriskInstance,
    readonly client: ari.Client,
  ) {}

  static async connect(context: TestContext): Promise<SipPeer> {
    const asterisk = new AsteriskInstance({
      name: context.peer.name,
      role: 'peer',
      chrootDir: context.chrootDir,
      vars: {},
    });
    const client = await ari.connect(`http://127.0.0.1:${context.peer.ariPort}`, 'pbx', context.peer.ariPassword);
    const peer = new SipPeer(context, asterisk, client);
    client.on('StasisStart', (event, channel) => void peer.onStasisStart(event, channel));
    client.on('StasisEnd', (_event, channel) => peer.update(channel.id, { ended: true }));
    client.on('ChannelDestroyed', (_event, channel) => peer.update(channel.id, { ended: true }));
    await client.start('peer');
    return peer;
  }

  async close(): Promise<void> {
    await this.hangupAll();
    this.client.stop();
  }

  /** What a phone (`phone-1001`) or carrier number does with the next calls; default is ring. */
  setBehavior(exten: string, behavior: Behavior): void {
    this.behaviors.set(exten, behavior);
  }

  /** The behavior for every number without one of its own (benchmarks dial many numbers). */
  setDefaultBehavior(behavior: Behavior): void {
    this.defaultBehavior = behavior;
  }

  /** Forgets the calls recorded so far (long benchmarks). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  /**
   * Adds desk phones that register to the PBX as `number` with `password` (one reload for all).
   * Asterisk staggers a new outbound registration by a random 1-10 s, so allow for that.
   */
  async addPhones(...phones: Phone[]): Promise<void> {
    for (const phone of phones) this.phones.set(phone.number, phone);
    await this.writePhones();
  }

  async addPhone(number: string, password: string): Promise<void> {
    await this.addPhones({ number, password });
  }

  async removePhone(number: string): Promise<void> {
    if (!this.phones.delete(number)) return;
    await this.writePhones();
  }

  /** Status of the phone's outbound registration: Registered, Rejected, Unregistered, ... */
  async registrationStatus(number: string): Promise<string> {
    const output = await this.asterisk.cli('pjsip show registrations');
    const line = output.split('\n').find((l) => l.trim().startsWith(`reg-${number}/`));
    return line?.trim().split(/\s+/)[2] ?? 'absent';
  }

  async waitRegistration(number: string, status: string, timeoutMs = 20_000): Promise<void> {
    await waitUntil(
      async () => (await this.registrationStatus(number)) === status,
      timeoutMs,
      `phone ${number} to be ${status}`,
    );
  }

  /** Re-sends the phone's REGISTER now instead of waiting for its timer. */
  async reregister(number: string): Promise<void> {
    await this.asterisk.cli(`pjsip send register reg-${number}`);
  }

  /** The phone `from` dials `to` through the PBX. Resolves with the peer-side channel id. */
  async dial(from: string, to: string): Promise<string> {
    const channel = await this.client.channels.originate({
      endpoint: `PJSIP/${to}@phone-${from}`,
      app: 'peer',
      appArgs: 'outbound',
      callerId: from,
      timeout: 30,
    });
    return channel.id;
  }

  async waitForCall(predicate: (call: ReceivedCall) => boolean, timeoutMs = 10_000): Promise<ReceivedCall> {
    let found: ReceivedCall | undefined;
    await waitUntil(
      async () => (found = this.calls.find(predicate)) !== undefined,
      timeoutMs,
      'a call at the SIP peer',
    );
    return found as ReceivedCall;
  }

  /** Answers a call that is ringing at the peer (the agent picks up now). */
  async answer(channelId: string): Promise<void> {
    await this.client.channels.answer({ channelId });
    this.update(channelId, { answered: true });
  }

  /** Hangs up one call at the peer (the customer or the agent puts the phone down). */
  async hangup(channelId: string): Promise<void> {
    await this.client.channels.hangup({ channelId }).catch(() => undefined);
  }

  /** Hangs up every channel of the peer, 50 requests at a time (Asterisk limits HTTP sessions). */
  async hangupAll(): Promise<void> {
    const channels = await this.client.channels.list().catch(() => []);
    for (let i = 0; i < channels.length; i += 50) {
      await Promise.all(channels.slice(i, i + 50).map((channel) => channel.hangup().catch(() => undefined)));
    }
  }

  private async onStasisStart(event: ari.StasisStart, channel: ari.Channel): Promise<void> {
    if (event.args?.[0] === 'outbound') return; // a call the peer placed, now answered
    const read = (variable: string) =>
      this.client.channels
        .getChannelVar({ channelId: channel.id, variable })
        .then((v) => v.value)
        .catch(() => '');
    const headerNames = this.recordDetails ? (await read('PJSIP_HEADERS(X-)')).split(',').filter(Boolean) : [];
    const headers: Record<string, string> = {};
    for (const name of headerNames) headers[name] = await read(`PJSIP_HEADER(read,${name})`);
    const call: ReceivedCall = {
      channelId: channel.id,
      exten: channel.dialplan.exten,
      callerNumber: channel.caller.number,
      callerName: channel.caller.name,
      headers,
      from: this.recordDetails ? await read('PJSIP_HEADER(read,From)') : '',
      pAssertedIdentity: this.recordDetails ? await read('PJSIP_HEADER(read,P-Asserted-Identity)') : '',
      answered: false,
      ended: false,
    };
    this.calls.push(call);
    const behavior = this.behaviors.get(call.exten) ?? this.defaultBehavior;
    try {
      switch (behavior.kind) {
        case 'ring':
          await channel.ring();
          break;
        case 'ignore':
          break;
        case 'answer':
          await channel.ring();
          await sleep(behavior.afterMs ?? 0);
          await channel.answer();
          call.answered = true;
          if (behavior.hangupAfterMs !== undefined) {
            const hangupAfter = behavior.hangupAfterMs;
            setTimeout(() => void channel.hangup().catch(() => undefined), hangupAfter);
          }
          break;
        case 'reject':
          await channel.hangup({ reason: behavior.cause });
          break;
      }
    } catch (error) {
      // the caller may already be gone
      call.error = String((error as Error)?.message ?? error);
    }
  }

  private update(channelId: string, changes: Partial<ReceivedCall>): void {
    const call = this.calls.find((c) => c.channelId === channelId);
    if (call) Object.assign(call, changes);
  }

  private async writePhones(): Promise<void> {
    const server = `127.0.0.1:${this.context.pbx.sipPort}`;
    const sections = [...this.phones.values()].map(
      ({ number, password }) => `
[auth-${number}]
type = auth
auth_type = userpass
username = ${number}
password = ${password}

[phone-${number}]
type = aor
contact = sip:${server}

[phone-${number}]
type = endpoint
transport = transport-udp
context = phone-out
disallow = all
allow = ulaw,alaw
direct_media = no
outbound_auth = auth-${number}
aors = phone-${number}
from_user = ${number}
from_domain = 127.0.0.1

[reg-${number}]
type = registration
transport = transport-udp
outbound_auth = auth-${number}
server_uri = sip:${server}
client_uri = sip:${number}@${server}
contact_user = phone-${number}
expiration = 120
retry_interval = 2
forbidden_retry_interval = 2
fatal_retry_interval = 2
max_retries = 10000
auth_rejection_permanent = no
`,
    );
    this.asterisk.writeFile('peer-phones.conf', sections.join('\n'));
    await this.asterisk.cli('module reload res_pjsip.so');
    await this.asterisk.cli('module reload res_pjsip_outbound_registration.so');
  }
}

/** The user part of a SIP name-addr header (`"Name" <sip:user@host>;tag=x` → `user`), or null. */
export function sipUser(header: string): string | null {
  return /<?sips?:([^@;>]+)@/.exec(header)?.[1] ?? null;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
