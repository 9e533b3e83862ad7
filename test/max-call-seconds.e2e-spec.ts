import { INestApplicationContext } from '@nestjs/common';
import * as ari from 'ari-client';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { phonePassword } from './harness/phone-password';
import { SipPeer, waitUntil } from './harness/sip-peer';
import { startTestWorker } from './harness/worker';

const MAX_CALL_SECONDS = 5;
/** the earliest and latest a channel may end, in ms after the call began: about MAX_CALL_SECONDS, never later */
const EARLIEST_END_MS = MAX_CALL_SECONDS * 1000 - 500;
const LATEST_END_MS = 9_000;

/**
 * MAX_CALL_SECONDS (SPEC §5): every channel of a call carries TIMEOUT(absolute), so Asterisk
 * ends an answered, bridged call on time even when the worker is gone. The worker is stopped
 * mid-call; what the far end saw (the SIP peer's channels ending) is the proof, not our rows.
 */
describe('MAX_CALL_SECONDS: Asterisk ends a call on time without the worker (real Asterisk)', () => {
  let api: TestApi;
  let worker: INestApplicationContext | undefined;
  let peer: SipPeer;
  /** the PBX's ARI, read only (no Stasis app): its bridges */
  let pbx: ari.Client;
  let trunk: { id: number };
  /** Date.now() when each of the peer's channels was destroyed, by channel id */
  const endedAt = new Map<string, number>();
  /** the peer's channels that went Up */
  const up = new Set<string>();
  const env = { MAX_CALL_SECONDS: String(MAX_CALL_SECONDS) };

  beforeAll(async () => {
    api = await startTestApi(env);
    peer = await SipPeer.connect(api.context);
    // a channel that reached the peer leaves its Stasis app as it hangs up (no ChannelDestroyed then), one it placed is destroyed
    const ended = (id: string) => endedAt.set(id, endedAt.get(id) ?? Date.now());
    peer.client.on('StasisEnd', (_event, channel) => ended(channel.id));
    peer.client.on('ChannelDestroyed', (_event, channel) => ended(channel.id));
    peer.client.on('ChannelStateChange', (_event, channel) => {
      if (channel.state === 'Up') up.add(channel.id);
    });
    pbx = await ari.connect(`http://127.0.0.1:${api.context.pbx.ariPort}`, 'pbx', api.context.pbx.ariPassword);
    trunk = (
      await api
        .post('/api/pbx/trunks', {
          name: `carrier-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data;
  });

  beforeEach(async () => {
    worker = await startTestWorker(env);
    await waitUntil(async () => (await api.http().get('/health')).status === 200, 10_000, 'health');
  });

  afterEach(async () => {
    await peer.hangupAll();
    await worker?.close();
    worker = undefined;
  });

  afterAll(async () => {
    await peer?.close();
    await worker?.close();
    await api?.close();
  });

  async function phone(): Promise<string> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    const created = await api.post('/api/pbx/extensions', { number, password }).expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    await waitUntil(
      async () => (await api.get(`/api/pbx/extensions/${created.body.data.id}`)).body.data.registered === true,
      5_000,
      'registered',
    );
    peer.setBehavior(`phone-${number}`, { kind: 'answer' });
    return number;
  }

  /** Waits until the PBX holds one bridge with both of the call's channels (two channels: one call at a time here). */
  async function waitBridged(): Promise<void> {
    await waitUntil(
      async () => (await pbx.bridges.list()).some((bridge) => bridge.channels.length === 2),
      4_000,
      'the two legs in one bridge',
    );
  }

  /** Stops the worker (before MAX_CALL_SECONDS is up), then both peer channels must end about MAX_CALL_SECONDS after `startedAt`. */
  async function expectEndedByAsterisk(startedAt: number, channels: Record<string, string>): Promise<void> {
    await worker!.close();
    worker = undefined;
    const stoppedAfter = Date.now() - startedAt;
    expect(stoppedAfter).toBeLessThan(EARLIEST_END_MS); // the worker was gone before the limit
    for (const id of Object.values(channels)) expect(endedAt.has(id)).toBe(false); // the stop ended nothing
    await waitUntil(
      () => Object.values(channels).every((id) => endedAt.has(id)),
      Math.max(LATEST_END_MS + 2_000 - (Date.now() - startedAt), 1_000),
      'both channels to end',
    ).catch(() => undefined); // the check below names the one that did not
    const ended = Object.entries(channels).map(([name, id]) => [name, (endedAt.get(id) ?? NaN) - startedAt] as const);
    const offLimit = ended.filter(([, afterMs]) => !(afterMs >= EARLIEST_END_MS && afterMs <= LATEST_END_MS));
    expect(offLimit).toEqual([]); // each: [channel, ms after the start it ended (NaN: still up)]
  }

  it('a carrier call routed to an extension, answered and bridged, ends after MAX_CALL_SECONDS with the worker stopped', async () => {
    const number = await phone();
    const did = `+8428${uniqueNumber()}`;
    await api.post('/api/pbx/inbound-routes', { did, destination: { type: 'extension', number } }).expect(201);

    const startedAt = Date.now();
    const carrier = await peer.carrierCall({ did, fromUser: `09${uniqueNumber()}` });
    const atPhone = await peer.waitForCall((c) => c.exten === `phone-${number}`, 4_000);
    await waitUntil(() => atPhone.answered && up.has(carrier), 4_000, 'the phone and the carrier answered');
    await waitBridged();

    await expectEndedByAsterisk(startedAt, { carrier, phone: atPhone.channelId });
    const outcome = await peer.outcome(carrier, 1_000);
    expect(outcome.answered).toBe(true);
  });

  it('a click-to-call call, agent and customer answered, ends after MAX_CALL_SECONDS with the worker stopped', async () => {
    const number = await phone();
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(customer, { kind: 'answer' });
    const token = await api.newToken();

    const startedAt = Date.now();
    await api
      .post('/api/pbx/calls/click-to-call', { from_extension: number, to_phone: customer, trunk_id: trunk.id }, token)
      .expect(202);
    const atPhone = await peer.waitForCall((c) => c.exten === `phone-${number}`, 4_000);
    const atCarrier = await peer.waitForCall((c) => c.exten === customer, 4_000);
    await waitUntil(() => atPhone.answered && atCarrier.answered, 4_000, 'the agent and the customer answered');
    await waitBridged();

    await expectEndedByAsterisk(startedAt, { agent: atPhone.channelId, customer: atCarrier.channelId });
  });
});
