import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { endpointOfChannelName } from '@pbx/asterisk';
import { PbxStasisListener } from './harness/pbx-stasis';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { sipRegister } from './harness/sip-register';

/**
 * Extensions written through the API are live in the real Asterisk on the next SIP request:
 * phones register, their calls reach the Stasis app, and a disabled extension is refused at
 * the SIP level.
 */
describe('extensions over SIP (real Asterisk, PJSIP realtime)', () => {
  let api: TestApi;
  let peer: SipPeer;

  beforeAll(async () => {
    api = await startTestApi();
    peer = await SipPeer.connect(api.context);
  });

  afterAll(async () => {
    await peer?.close();
    await api?.close();
  });

  async function createExtension(
    password = 'phone-secret-1',
  ): Promise<{ id: number; number: string; password: string }> {
    const number = uniqueNumber();
    const response = await api
      .post('/api/pbx/extensions', { number, password, display_name: `Desk ${number}` })
      .expect(201);
    return { id: response.body.data.id, number, password };
  }

  it('a new extension registers from a real SIP phone within seconds and shows registered: true', async () => {
    const extension = await createExtension();
    expect((await api.get(`/api/pbx/extensions/${extension.id}`).expect(200)).body.data.registered).toBe(false);

    await peer.addPhone(extension.number, extension.password);
    await peer.waitRegistration(extension.number, 'Registered');

    await waitUntil(
      async () => (await api.get(`/api/pbx/extensions/${extension.id}`)).body.data.registered === true,
      5_000,
      'registered: true',
    );
    const list = await api.get('/api/pbx/extensions').expect(200);
    expect(list.body.data.find((e: { id: number }) => e.id === extension.id).registered).toBe(true);
  });

  it('a wrong password gets 401 at the SIP level; the right one 200', async () => {
    const extension = await createExtension();
    const wrong = await sipRegister({
      port: api.context.pbx.sipPort,
      user: extension.number,
      password: 'not-the-password',
    });
    expect(wrong.firstStatus).toBe(401);
    expect(wrong.status).toBe(401);
    const right = await sipRegister({
      port: api.context.pbx.sipPort,
      user: extension.number,
      password: extension.password,
      expires: 0,
    });
    expect(right.status).toBe(200);
  });

  it('disabling an extension makes its next REGISTER fail with 401/403, with no reload', async () => {
    const extension = await createExtension();
    await peer.addPhone(extension.number, extension.password);
    await peer.waitRegistration(extension.number, 'Registered');

    await api.patch(`/api/pbx/extensions/${extension.id}`, { status: 'disabled' }).expect(200);

    const raw = await sipRegister({
      port: api.context.pbx.sipPort,
      user: extension.number,
      password: extension.password,
      expires: 0,
    });
    expect([401, 403]).toContain(raw.status);
    await peer.reregister(extension.number);
    await peer.waitRegistration(extension.number, 'Rejected');
    expect((await api.get(`/api/pbx/extensions/${extension.id}`)).body.data.registered).toBe(false);

    // and back: enabling it lets the phone in again
    await api.patch(`/api/pbx/extensions/${extension.id}`, { status: 'active' }).expect(200);
    await peer.reregister(extension.number);
    await peer.waitRegistration(extension.number, 'Registered');
  });

  it('a password change through the API applies to the next REGISTER', async () => {
    const extension = await createExtension();
    await api.patch(`/api/pbx/extensions/${extension.id}`, { password: 'a-new-password' }).expect(200);
    expect(
      (
        await sipRegister({
          port: api.context.pbx.sipPort,
          user: extension.number,
          password: extension.password,
          expires: 0,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await sipRegister({
          port: api.context.pbx.sipPort,
          user: extension.number,
          password: 'a-new-password',
          expires: 0,
        })
      ).status,
    ).toBe(200);
  });

  it("a registered extension's call enters the Stasis app as a phone call, from its own endpoint", async () => {
    const alice = await createExtension();
    const bob = await createExtension();
    await peer.addPhones(alice, bob);
    await Promise.all([
      peer.waitRegistration(alice.number, 'Registered'),
      peer.waitRegistration(bob.number, 'Registered'),
    ]);

    // the worker's place (its internal-call flow is not part of this test)
    const stasis = await PbxStasisListener.connect(api.context);
    try {
      const channelId = await peer.dial(alice.number, bob.number);
      const entered = await stasis.waitFor((e) => e.exten === bob.number);
      expect(entered).toMatchObject({ context: 'pbx-internal', callerNumber: alice.number, args: ['phone'] });
      expect(endpointOfChannelName(entered.name)).toBe(alice.number);
      // nobody adopts it: the dialplan refuses it with 34 once its 10 s are over
      expect(await peer.outcome(channelId, 20_000)).toMatchObject({ cause: 34, answered: false });
    } finally {
      await stasis.close();
      await peer.hangupAll();
    }
  });

  it('a disabled extension can no longer place calls', async () => {
    const alice = await createExtension();
    const bob = await createExtension();
    await peer.addPhones(alice, bob);
    await Promise.all([
      peer.waitRegistration(alice.number, 'Registered'),
      peer.waitRegistration(bob.number, 'Registered'),
    ]);
    await api.patch(`/api/pbx/extensions/${alice.id}`, { status: 'disabled' }).expect(200);

    await peer.dial(alice.number, bob.number).catch(() => undefined);
    await sleep(2_000);
    expect(peer.calls.find((c) => c.exten === `phone-${bob.number}`)).toBeUndefined();
  });
});
