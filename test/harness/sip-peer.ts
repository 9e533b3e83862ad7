import * as ari from 'ari-client';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { AsteriskInstance } from '../../asterisk/local/asterisk-instance';
import { analyse, AudioAnalysis, parseWav, sineWav } from './audio-analysis';
import { AriHttp, AriHttpError } from './ari-http';
import { TestContext } from './test-context';

/** Headers without a common prefix that a test may look for (PJSIP_HEADERS() needs a prefix). */
export const NAMED_HEADERS = ['Call-Info', 'Alert-Info', 'Answer-Mode', 'P-Auto-answer'] as const;
/** listen(): captures of one listen at most (an empty capture while RTP arrives is taken again) */
const LISTEN_ATTEMPTS = 6;
/** the peer's codecs send one RTP packet every 20 ms */
const RTP_PACKET_MS = 20;

/** What a desk phone or the carrier does with a call that reaches it. */
export type Behavior =
  | { kind: 'ring' } // 180 and keep ringing (no answer)
  /** tone: once answered, the phone sends a continuous sine of this many Hz (see listen()) */
  | { kind: 'answer'; afterMs?: number; hangupAfterMs?: number; tone?: number }
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
  /** the INVITE's headers named in NAMED_HEADERS that it carries, by name (auto answer) */
  named: Record<string, string>;
  /** the INVITE's From and P-Asserted-Identity headers as received (the endpoint trusts PAI, so callerNumber alone cannot tell them apart) */
  from: string;
  pAssertedIdentity: string;
  answered: boolean;
  ended: boolean;
  /** Q.850 cause the peer's channel ended with (26: the PBX said "Call completed elsewhere") */
  cause?: number;
  /** what went wrong carrying out the behavior, if anything */
  error?: string;
}

interface Phone {
  number: string;
  password: string;
}

/** What a call the peer places does once answered. */
export interface PlaceOptions {
  /** the calling phone or carrier sends a continuous sine of this many Hz once the call is answered */
  tone?: number;
}

/** What the phone that sent a REFER (SipPeer.refer) saw: Transfer()'s TRANSFERSTATUS and TRANSFERSTATUSPROTOCOL. */
export interface ReferResult {
  /** SUCCESS (a final NOTIFY with sipfrag 2xx), FAILURE, UNSUPPORTED */
  status: string;
  /** the SIP status of the final NOTIFY's sipfrag, or of the REFER's own answer (0: none) */
  sipCode: number;
  /** the status line of each NOTIFY's sipfrag the phone received in that call, in order ('SIP/2.0 100 Trying') */
  notifies: string[];
}

/** How a call the peer placed (a phone's dial, the carrier's carrierCall) ended, as the peer saw it. */
export interface CallOutcome {
  /** Q.850 cause of the peer's channel: 34 when the PBX answered 503, 1 for 404, 21 for 401/403 */
  cause: number;
  causeText: string;
  /** the SIP status that ended it (ARI's tech_cause), when Asterisk reports one */
  sipCode: number | null;
  answered: boolean;
  /** the PBX sent ringing (180) before any answer */
  rang: boolean;
  /** ms from the originate to the end */
  afterMs: number;
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
  /** calls the peer placed, by channel id: when they started and, once over, how they ended */
  private readonly placed = new Map<
    string,
    {
      startedAt: number;
      answered: boolean;
      rang?: boolean;
      outcome?: CallOutcome;
      tone?: number;
      /** answered: in the peer's Stasis app */
      inStasis?: boolean;
    }
  >();
  /** the tone playing on a channel (playTone), by channel id */
  private readonly tones = new Map<string, { playbackId: string; recording: string }>();
  /** tone files written to the peer's spool/recording */
  private readonly toneFiles = new Set<string>();
  /** REFERs in flight and their outcome, by the referring channel's id */
  private readonly refers = new Map<string, { callId: string; result?: ReferResult }>();
  private sipLogging = false;
  /** read caller id details and X- headers of each call (costs a few ARI requests a call) */
  recordDetails = true;

  /** the peer's ARI over plain HTTP: recordings' files are binary */
  private readonly http: AriHttp;

  private constructor(
    private readonly context: TestContext,
    readonly asterisk: AsteriskInstance,
    readonly client: ari.Client,
  ) {
    this.http = new AriHttp(`http://127.0.0.1:${context.peer.ariPort}`, 'pbx', context.peer.ariPassword);
  }

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
    client.on('StasisEnd', (_event, channel) => {
      // a phone sending a REFER leaves the app for the dialplan (refer) and comes back
      if (!peer.refers.has(channel.id) || peer.refers.get(channel.id)?.result) peer.update(channel.id, { ended: true });
    });
    client.on('ChannelDestroyed', (event, channel) => {
      peer.tones.delete(channel.id);
      peer.update(channel.id, { ended: true, cause: (event as ari.ChannelDestroyed).cause });
      peer.onPlacedEnded(event as ari.ChannelDestroyed & { tech_cause?: number | string }, channel.id);
    });
    client.on('PlaybackFinished', (event) => peer.onPlaybackFinished(event.playback.id));
    // a CANCEL or BYE from the PBX: its cause (the channel leaves the app before ChannelDestroyed)
    client.on('ChannelHangupRequest', (event, channel) => {
      if (event.cause !== undefined) peer.update(channel.id, { cause: event.cause });
    });
    client.on('ChannelStateChange', (_event, channel) => {
      const placed = peer.placed.get(channel.id);
      if (placed && channel.state === 'Up') placed.answered = true;
      if (placed && channel.state === 'Ringing' && !placed.answered) placed.rang = true;
    });
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

  /** The phone `from` dials `to` through the PBX. Resolves with the peer-side channel id (see outcome). */
  async dial(from: string, to: string, options: PlaceOptions = {}): Promise<string> {
    return this.place({ endpoint: `PJSIP/${to}@phone-${from}`, callerId: from, ...options });
  }

  /**
   * The carrier calls the PBX from its own address (127.0.0.3, the trunk's inbound_addresses):
   * Request-URI user `did` ('' for none), From user `fromUser`, and a P-Asserted-Identity user
   * `pai` when given. Resolves with the peer-side channel id; `outcome` tells how it ended.
   */
  async carrierCall(
    options: { did: string; fromUser: string; fromName?: string; pai?: string } & PlaceOptions,
  ): Promise<string> {
    const { did, fromUser, fromName, pai, tone } = options;
    const endpoint =
      did === '' ? `PJSIP/carrier-out/sip:127.0.0.1:${this.context.pbx.sipPort}` : `PJSIP/${did}@carrier-out`;
    return this.place({
      endpoint,
      callerId: fromName ? `"${fromName}" <${fromUser}>` : fromUser,
      variables: pai
        ? { 'PJSIP_HEADER(add,P-Asserted-Identity)': `<sip:${pai}@${this.context.peer.carrierAddress}>` }
        : undefined,
      tone,
    });
  }

  /** How a call placed by dial() or carrierCall() ended; waits for its end. */
  async outcome(channelId: string, timeoutMs = 15_000): Promise<CallOutcome> {
    await waitUntil(() => this.placed.get(channelId)?.outcome !== undefined, timeoutMs, `call ${channelId} to end`);
    return this.placed.get(channelId)!.outcome!;
  }

  private async place(
    options: { endpoint: string; callerId: string; variables?: Record<string, string> } & PlaceOptions,
  ) {
    const startedAt = Date.now();
    const channel = await this.client.channels.originate({
      endpoint: options.endpoint,
      app: 'peer',
      appArgs: 'outbound',
      callerId: options.callerId,
      timeout: 30,
      ...(options.variables ? { variables: options.variables } : {}),
    });
    const placed = this.placed.get(channel.id) ?? { startedAt, answered: false };
    this.placed.set(channel.id, { ...placed, tone: options.tone });
    // answered before originate returned: StasisStart came first and found no tone to play
    if (options.tone !== undefined && placed.inStasis) await this.playTone(channel.id, options.tone);
    return channel.id;
  }

  private onPlacedEnded(event: ari.ChannelDestroyed & { tech_cause?: number | string }, channelId: string): void {
    const placed = this.placed.get(channelId) ?? { startedAt: Date.now(), answered: false };
    const sipCode = Number(event.tech_cause);
    placed.outcome = {
      cause: event.cause,
      causeText: event.cause_txt,
      sipCode: Number.isInteger(sipCode) && sipCode >= 100 ? sipCode : null,
      answered: placed.answered,
      rang: placed.rang ?? false,
      afterMs: Date.now() - placed.startedAt,
    };
    this.placed.set(channelId, placed);
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

  /**
   * The phone on an answered call (a call it received or placed; `channelId` is the peer's
   * channel) asks for a blind transfer to `target`: a SIP REFER in that call's dialog with
   * `Refer-To: <sip:target@pbx>` (Transfer() in the peer's dialplan, context refer). Resolves
   * once the channel has left the app to send it; referResult() waits for the final NOTIFY.
   * `target` is written into the Refer-To as given (a test may send anything a phone could).
   */
  async refer(channelId: string, target: string): Promise<void> {
    if (!this.sipLogging) {
      // the peer's SIP messages go to its messages.log: referResult reads the NOTIFYs there
      await this.asterisk.cli('pjsip set logger on');
      this.sipLogging = true;
    }
    const { value: callId } = await this.client.channels.getChannelVar({
      channelId,
      variable: 'CHANNEL(pjsip,call-id)',
    });
    this.refers.set(channelId, { callId });
    await this.client.channels.setChannelVar({ channelId, variable: 'REFER_TARGET', value: target });
    await this.client.channels.continueInDialplan({ channelId, context: 'refer', extension: 's', priority: 1 });
  }

  /** What the phone saw of its REFER (see refer): waits for the transfer's final NOTIFY or failure. */
  async referResult(channelId: string, timeoutMs = 10_000): Promise<ReferResult> {
    await waitUntil(() => this.refers.get(channelId)?.result !== undefined, timeoutMs, `REFER on ${channelId} to end`);
    const result = this.refers.get(channelId)!.result!;
    // Asterisk's logger writes behind: give the final NOTIFY a moment to reach the file
    const final = () => (result.notifies = this.referNotifies(channelId)).some((line) => !/^SIP\/2\.0 1/.test(line));
    await waitUntil(final, 2_000, 'the final NOTIFY in the log').catch(() => undefined);
    return result;
  }

  /** The sipfrag status lines of the NOTIFYs the peer received in the dialog `callId` so far. */
  referNotifies(channelId: string): string[] {
    const callId = this.refers.get(channelId)?.callId;
    if (!callId) return [];
    const log = fs.readFileSync(this.asterisk.messagesLog, 'utf8').replace(/\r\n/g, '\n');
    return log
      .split(/^\[[^\]]+\] VERBOSE\[/m)
      .filter((entry) => /Received SIP request/.test(entry) && /^NOTIFY /m.test(entry))
      .filter((entry) => entry.includes(`Call-ID: ${callId}\n`) && /^Content-Type: message\/sipfrag/m.test(entry))
      .map((entry) => /^(SIP\/2\.0 \d{3}[^\n]*)$/m.exec(entry.slice(entry.search(/\n\n/)))?.[1]?.trim() ?? '?');
  }

  /** Answers a call that is ringing at the peer (the agent picks up now). */
  async answer(channelId: string): Promise<void> {
    await this.client.channels.answer({ channelId });
    this.update(channelId, { answered: true });
  }

  /**
   * The channel sends a continuous sine of `hz` Hz (whole Hz, 50-3900) in place of silence;
   * replaces a tone it was already playing. It plays a generated 20 s WAV file
   * (`recording:tone-<hz>`) and starts it again each time it ends. Not an indications tone
   * (`tone:440`): while ARI plays one of those the channel's audio from the PBX goes unread, so
   * listen() on it would only hear silence.
   */
  async playTone(channelId: string, hz: number): Promise<void> {
    if (!Number.isInteger(hz) || hz < 50 || hz > 3900) throw new Error(`tone of ${hz} Hz: whole Hz from 50 to 3900`);
    const name = `tone-${hz}`;
    if (!this.toneFiles.has(name)) {
      this.asterisk.writeRecording(`${name}.wav`, sineWav(hz, { seconds: 20 }));
      this.toneFiles.add(name);
    }
    await this.stopTone(channelId);
    await this.startTone(channelId, name);
  }

  private async startTone(channelId: string, recording: string): Promise<void> {
    const playbackId = `${recording}-${randomBytes(6).toString('hex')}`;
    this.tones.set(channelId, { playbackId, recording });
    await this.http.json('POST', `/channels/${encodeURIComponent(channelId)}/play/${playbackId}`, {
      media: `recording:${recording}`,
    });
  }

  /** A tone's file played to its end: again, unless the tone was stopped or the channel is gone. */
  private onPlaybackFinished(playbackId: string): void {
    for (const [channelId, tone] of this.tones) {
      if (tone.playbackId !== playbackId) continue;
      void this.startTone(channelId, tone.recording).catch(() => this.tones.delete(channelId));
    }
  }

  /** Stops the tone of playTone (or of a behavior's `tone`); none playing is not an error. */
  async stopTone(channelId: string): Promise<void> {
    const tone = this.tones.get(channelId);
    if (!tone) return;
    this.tones.delete(channelId);
    await this.http.json('DELETE', `/playbacks/${tone.playbackId}`).catch((error: unknown) => {
      if (!(error instanceof AriHttpError && error.status === 404)) throw error;
    });
  }

  /**
   * Records for `ms` what the peer's channel hears, i.e. the audio the PBX sends it, and analyses
   * it: RMS, power at given frequencies, the dominant one (audio-analysis.ts). The recording is
   * made on a snoop channel spying on what the channel reads: one made on the channel itself
   * would wait behind the channel's tone (ARI runs one playback or recording at a time). The
   * recording is deleted afterwards.
   */
  async listen(channelId: string, ms: number): Promise<AudioAnalysis> {
    // In the first seconds of a call the snoop sometimes captures no sample at all while the
    // channel does receive the PBX's audio: measured, an empty capture while the channel's RTP
    // statistics counted 75 packets arriving in the same 1.5 s, and the next capture heard the
    // tone (about one listen in a hundred, up to three in a row on a loaded machine). Such a
    // capture, or one of exact digital silence, is taken again while RTP does arrive, up to
    // LISTEN_ATTEMPTS times. When no RTP arrived, silence is what the channel heard.
    for (let attempt = 1; ; attempt++) {
      const received = await this.rtpPacketsReceived(channelId);
      const heard = await this.listenOnce(channelId, ms);
      const captured = heard.durationMs >= ms / 2 && heard.rms > 0;
      if (captured || attempt === LISTEN_ATTEMPTS) return heard;
      const arrived = (await this.rtpPacketsReceived(channelId)) - received;
      if (!(arrived >= ms / RTP_PACKET_MS / 2)) return heard;
      console.warn(
        `listen on ${channelId}: capture ${attempt} silent while ${arrived} RTP packets arrived: taken again`,
      );
      await sleep(200);
    }
  }

  /** RTP packets the channel has received so far (NaN when Asterisk has no RTP statistics for it). */
  private async rtpPacketsReceived(channelId: string): Promise<number> {
    const stats = (await this.http
      .json('GET', `/channels/${encodeURIComponent(channelId)}/rtp_statistics`)
      .catch(() => ({}))) as { rxcount?: number };
    return stats.rxcount ?? Number.NaN;
  }

  private async listenOnce(channelId: string, ms: number): Promise<AudioAnalysis> {
    const id = randomBytes(6).toString('hex');
    const snoopId = `snoop-${id}`;
    const name = `listen-${id}`;
    await this.http.json('POST', `/channels/${encodeURIComponent(channelId)}/snoop/${snoopId}`, {
      spy: 'in',
      app: 'peer',
      appArgs: 'snoop',
    });
    try {
      // the snoop channel enters the app just after the answer: a record before then is a 409
      const deadline = Date.now() + 2_000;
      for (;;) {
        try {
          await this.http.json('POST', `/channels/${snoopId}/record`, {
            name,
            format: 'wav',
            beep: false,
            terminateOn: 'none',
            ifExists: 'overwrite',
            maxDurationSeconds: Math.ceil(ms / 1000) + 5,
          });
          break;
        } catch (error) {
          if (!(error instanceof AriHttpError && error.status === 409) || Date.now() > deadline) throw error;
          await sleep(20);
        }
      }
      await sleep(ms);
      await this.http.json('POST', `/recordings/live/${name}/stop`);
      let file: Buffer | undefined;
      await waitUntil(
        async () => {
          file = await this.http.bytes(`/recordings/stored/${name}/file`).catch(() => undefined);
          return file !== undefined;
        },
        5_000,
        `recording ${name} to be stored`,
      );
      await this.http.json('DELETE', `/recordings/stored/${name}`).catch(() => undefined);
      return analyse(parseWav(file!));
    } finally {
      await this.http.json('DELETE', `/channels/${snoopId}`).catch(() => undefined);
    }
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
    if (event.args?.[0] === 'snoop') return; // listen()'s spy on a channel
    if (event.args?.[0] === 'outbound') {
      // a call the peer placed, now answered
      const placed = this.placed.get(channel.id) ?? { startedAt: Date.now(), answered: true };
      this.placed.set(channel.id, { ...placed, inStasis: true });
      if (placed.tone !== undefined) await this.playTone(channel.id, placed.tone).catch(() => undefined);
      return;
    }
    if (event.args?.[0] === 'referred') {
      const refer = this.refers.get(channel.id);
      if (refer) refer.result = { status: event.args[1] ?? '', sipCode: Number(event.args[2]) || 0, notifies: [] };
      return;
    }
    const read = (variable: string) =>
      this.client.channels
        .getChannelVar({ channelId: channel.id, variable })
        .then((v) => v.value)
        .catch(() => '');
    const headerNames = this.recordDetails ? (await read('PJSIP_HEADERS(X-)')).split(',').filter(Boolean) : [];
    const headers: Record<string, string> = {};
    for (const name of headerNames) headers[name] = await read(`PJSIP_HEADER(read,${name})`);
    const named: Record<string, string> = {};
    if (this.recordDetails) {
      const values = await Promise.all(NAMED_HEADERS.map((name) => read(`PJSIP_HEADER(read,${name})`)));
      NAMED_HEADERS.forEach((name, i) => {
        if (values[i] !== '') named[name] = values[i];
      });
    }
    const call: ReceivedCall = {
      channelId: channel.id,
      exten: channel.dialplan.exten,
      callerNumber: channel.caller.number,
      callerName: channel.caller.name,
      headers,
      named,
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
          if (behavior.tone !== undefined) await this.playTone(channel.id, behavior.tone);
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
