import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { Asterisk } from '@pbx/asterisk';
import { AriHttp } from './harness/ari-http';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { AudioAnalysis } from './harness/audio-analysis';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

const CALLER_TONE = 440;
const CALLEE_TONE = 1000;
const LISTEN_MS = 1500;
/** RMS above this is sound (digital silence records as 0; the music on hold measures about 0.07) */
const SOUND_RMS = 0.02;

const show = (audio: AudioAnalysis) =>
  `rms ${audio.rms.toFixed(4)}, dominant ${audio.dominant ?? '-'} Hz, ` +
  `${CALLER_TONE} Hz ${audio.share(CALLER_TONE).toFixed(3)}, ${CALLEE_TONE} Hz ${audio.share(CALLEE_TONE).toFixed(3)}`;

/** A party hears `hz` clearly: most of what it hears is that tone. */
function expectHears(audio: AudioAnalysis, hz: number, who: string): void {
  expect({ who, dominant: audio.dominant, heard: audio.share(hz) > 0.8 }).toEqual({ who, dominant: hz, heard: true });
}

/** A party hears sound, and none of it is either tone (music on hold). */
function expectMusicWithout(audio: AudioAnalysis, tones: number[], who: string): void {
  expect({ who, sound: audio.rms > SOUND_RMS }).toEqual({ who, sound: true });
  for (const hz of tones) expect({ who, hz, share: audio.share(hz) < 0.05 }).toEqual({ who, hz, share: true });
}

/**
 * Audio through the PBX, as the desk phones hear it: each phone of the SIP test peer sends a
 * sine of its own, and the peer records what a phone receives and measures it. Also finds, and
 * keeps, the recipe that puts one party of a bridged call on hold for the other
 * (Asterisk.holdParty / unholdParty).
 */
describe('audio through the PBX (real Asterisk, desk phones sending tones)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let asterisk: Asterisk;
  let peer: SipPeer;
  let db: Client;
  let pbxAri: AriHttp;
  let caller: string;
  let callee: string;
  const workerLog = new WorkerLog();

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startTestWorker({}, workerLog);
    asterisk = worker.get(Asterisk);
    peer = await SipPeer.connect(api.context);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    pbxAri = new AriHttp(`http://127.0.0.1:${api.context.pbx.ariPort}`, 'pbx', api.context.pbx.ariPassword);
    await waitUntil(async () => (await api.http().get('/health')).status === 200, 10_000, 'health');
    [caller, callee] = [await phone(), await phone()];
  });

  afterAll(async () => {
    await peer?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
  });

  async function phone(): Promise<string> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    await api.post('/api/pbx/extensions', { number, password }).expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    return number;
  }

  const callRow = async (callUuid: string) =>
    (await db.query('SELECT status FROM calls WHERE call_uuid = $1', [callUuid])).rows[0] as
      { status: string } | undefined;

  /**
   * `caller` calls `callee`, which answers; each phone sends its tone once answered. Returns the
   * peer's channel of each phone and the PBX's channel of each side (both in the call's bridge).
   */
  async function answeredCall() {
    const since = Date.now();
    peer.setBehavior(`phone-${callee}`, { kind: 'answer', afterMs: 200, tone: CALLEE_TONE });
    const placed = await peer.dial(caller, callee, { tone: CALLER_TONE });
    const atCallee = await peer.waitForCall((c) => c.exten === `phone-${callee}` && !c.ended && c.answered);
    let callUuid = '';
    await waitUntil(
      async () => {
        const row = (
          await db.query(
            `SELECT call_uuid FROM calls WHERE to_number = $1 AND status = 'answered' AND created_at >= $2`,
            [callee, new Date(since - 1000)],
          )
        ).rows[0] as { call_uuid: string } | undefined;
        callUuid = row?.call_uuid ?? '';
        return callUuid !== '';
      },
      10_000,
      'the call answered',
    );
    let members: string[] = [];
    await waitUntil(
      async () => {
        const bridge = (await pbxAri.json('GET', `/bridges/${callUuid}`).catch(() => null)) as {
          channels: string[];
        } | null;
        members = bridge?.channels ?? [];
        return members.length === 2;
      },
      5_000,
      'both sides in the call bridge',
    );
    const names = await Promise.all(
      members.map(async (id) => ((await pbxAri.json('GET', `/channels/${id}`)) as { name: string }).name),
    );
    const pbxChannelOf = (ext: string) => members[names.findIndex((n) => n.startsWith(`PJSIP/${ext}-`))];
    const pbx = { caller: pbxChannelOf(caller), callee: pbxChannelOf(callee) };
    expect(pbx.caller).toBeDefined();
    expect(pbx.callee).toBeDefined();
    await sleep(300); // the tones start with the answer
    return { placed, atCallee: atCallee.channelId, callUuid, pbx };
  }

  async function hangUp(call: { placed: string; callUuid: string }): Promise<void> {
    await peer.hangup(call.placed);
    await waitUntil(async () => (await callRow(call.callUuid))?.status === 'ended', 10_000, 'the call ended');
  }

  it('each side of an internal call hears the other side, and not itself', async () => {
    const since = Date.now();
    const call = await answeredCall();
    const [atCaller, atCallee] = await Promise.all([
      peer.listen(call.placed, LISTEN_MS),
      peer.listen(call.atCallee, LISTEN_MS),
    ]);
    console.log(`caller hears: ${show(atCaller)}\ncallee hears: ${show(atCallee)}`);
    expect(atCaller.durationMs).toBeGreaterThan(LISTEN_MS / 2);
    expectHears(atCaller, CALLEE_TONE, 'caller');
    expect(atCaller.share(CALLER_TONE)).toBeLessThan(0.01);
    expectHears(atCallee, CALLER_TONE, 'callee');
    expect(atCallee.share(CALLEE_TONE)).toBeLessThan(0.01);
    await hangUp(call);
    expect(workerLog.errorsSince(since)).toEqual([]);
  });

  describe.each([
    { holder: 'caller', held: 'callee' },
    { holder: 'callee', held: 'caller' },
  ] as const)('the $holder puts the $held on hold (Asterisk.holdParty)', ({ holder, held }) => {
    it('the held party hears music on hold and nothing of the holder; after unholdParty, the holder again', async () => {
      const since = Date.now();
      const call = await answeredCall();
      const side = {
        caller: { peerChannel: call.placed, pbxChannel: call.pbx.caller, tone: CALLER_TONE },
        callee: { peerChannel: call.atCallee, pbxChannel: call.pbx.callee, tone: CALLEE_TONE },
      };
      const [holding, holdee] = [side[holder], side[held]];

      const before = await peer.listen(holdee.peerChannel, LISTEN_MS);
      await asterisk.holdParty(holding.pbxChannel, holdee.pbxChannel);
      await sleep(300);
      const [during, holderDuring] = await Promise.all([
        peer.listen(holdee.peerChannel, LISTEN_MS),
        peer.listen(holding.peerChannel, LISTEN_MS),
      ]);
      await asterisk.unholdParty(holding.pbxChannel, holdee.pbxChannel);
      await sleep(300);
      const [after, holderAfter] = await Promise.all([
        peer.listen(holdee.peerChannel, LISTEN_MS),
        peer.listen(holding.peerChannel, LISTEN_MS),
      ]);
      console.log(
        [
          `${held} before hold: ${show(before)}`,
          `${held} on hold: ${show(during)}`,
          `${holder} (holding): ${show(holderDuring)}`,
          `${held} after unhold: ${show(after)}`,
          `${holder} after unhold: ${show(holderAfter)}`,
        ].join('\n'),
      );
      expectHears(before, holding.tone, `${held} before hold`);
      // music: sound, neither the holder's tone nor an echo of its own
      expectMusicWithout(during, [holding.tone, holdee.tone], `${held} on hold`);
      // the holder still hears the held party
      expectHears(holderDuring, holdee.tone, `${holder} holding`);
      expectHears(after, holding.tone, `${held} after unhold`);
      expectHears(holderAfter, holdee.tone, `${holder} after unhold`);
      await hangUp(call);
      expect(workerLog.errorsSince(since)).toEqual([]);
    });
  });

  it("not the recipe: ARI's channels/{id}/hold plays the music to that channel and lets its voice through", async () => {
    const call = await answeredCall();
    await asterisk.hold(call.pbx.caller);
    await sleep(300);
    const [callerHears, calleeHears] = await Promise.all([
      peer.listen(call.placed, LISTEN_MS),
      peer.listen(call.atCallee, LISTEN_MS),
    ]);
    await asterisk.unhold(call.pbx.caller);
    await sleep(300);
    const callerAfter = await peer.listen(call.placed, LISTEN_MS);
    console.log(
      `hold on the caller's channel: caller hears ${show(callerHears)}\ncallee hears ${show(calleeHears)}\n` +
        `after unhold: caller hears ${show(callerAfter)}`,
    );
    // what makes it the wrong recipe: the music goes to the channel put on hold, not to the other
    // side (whose audio is logged above: usually the caller's voice, but not reliably enough to assert)
    expectMusicWithout(callerHears, [CALLER_TONE, CALLEE_TONE], 'caller, its channel on hold');
    expectHears(callerAfter, CALLEE_TONE, 'caller after unhold');
    await hangUp(call);
  });
});
