import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from '../harness/api';
import { waitUntil } from '../harness/sip-peer';
import { sipRegister } from '../harness/sip-register';

const GENERATED = /^[A-Za-z0-9_-]{24}$/;

/**
 * Strong SIP passwords (SPEC §5), from outside: the API refuses weak ones and writes nothing; a
 * left-out password is generated, shown once, and is the one the real Asterisk accepts, also
 * after a PATCH that moves the extension to a new number.
 */
describe('SIP passwords: at least 12 characters, never the number, generated when left out', () => {
  let api: TestApi;
  let db: Client;

  beforeAll(async () => {
    api = await startTestApi();
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  const rows = async (number: string) =>
    (await db.query('SELECT id, number, md5_cred FROM extensions WHERE number = $1', [number])).rows;
  /** The final SIP status of a REGISTER (after answering the digest challenge). */
  const register = async (user: string, password: string, expires = 0) =>
    (await sipRegister({ port: api.context.pbx.sipPort, user, password, expires })).status;
  const expectPasswordRefused = (body: { error: { code: string; details: unknown } }, why: RegExp) => {
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details).toEqual([{ field: 'password', message: expect.stringMatching(why) }]);
  };

  describe('refused with 422 naming password, and no row written', () => {
    it('11 characters are too short (12 are enough)', async () => {
      const number = uniqueNumber();
      const refused = await api.post('/api/pbx/extensions', { number, password: 'abcdefghijk' }).expect(422);
      expectPasswordRefused(refused.body, /at least 12 characters/);
      expect(await rows(number)).toEqual([]);
      await api.post('/api/pbx/extensions', { number, password: 'abcdefghijkl' }).expect(201);
    });

    it('a password containing the extension number', async () => {
      const number = uniqueNumber();
      for (const password of [`${number}-long-enough`, `long-${number}-enough`, `long-enough-${number}`]) {
        const refused = await api.post('/api/pbx/extensions', { number, password }).expect(422);
        expectPasswordRefused(refused.body, /must not contain the extension number/);
      }
      expect(await rows(number)).toEqual([]);
    });

    it('on PATCH: checked against the stored number, or the new one when the number changes', async () => {
      const number = uniqueNumber();
      const created = await api.post('/api/pbx/extensions', { number, password: 'correct-horse-staple' }).expect(201);
      const id = created.body.data.id;
      const [before] = await rows(number);

      const short = await api.patch(`/api/pbx/extensions/${id}`, { password: 'abcdefghijk' }).expect(422);
      expectPasswordRefused(short.body, /at least 12 characters/);
      const stored = await api.patch(`/api/pbx/extensions/${id}`, { password: `pw-${number}-long` }).expect(422);
      expectPasswordRefused(stored.body, /must not contain the extension number/);
      const next = uniqueNumber();
      const renumbered = await api
        .patch(`/api/pbx/extensions/${id}`, { number: next, password: `pw-${next}-long` })
        .expect(422);
      expectPasswordRefused(renumbered.body, /must not contain the extension number/);
      expect(await rows(number)).toEqual([before]);
      expect(await rows(next)).toEqual([]);

      // the old number inside is no longer the extension's number: accepted, and it registers
      const moved = await api
        .patch(`/api/pbx/extensions/${id}`, { number: next, password: `pw-${number}-long` })
        .expect(200);
      expect(moved.body.data).not.toHaveProperty('password');
      expect(await register(next, `pw-${number}-long`)).toBe(200);
    });
  });

  it('left out on create: generated, returned once, and a real REGISTER with it succeeds', async () => {
    const number = uniqueNumber();
    const created = await api.post('/api/pbx/extensions', { number, display_name: 'Generated' }).expect(201);
    const { id, password } = created.body.data;
    expect(password).toMatch(GENERATED);
    expect(password).not.toContain(number);
    const again = await api.post('/api/pbx/extensions', { number: uniqueNumber() }).expect(201);
    expect(again.body.data.password).toMatch(GENERATED);
    expect(again.body.data.password).not.toBe(password);

    // never again: not on GET, not in the list, not on a PATCH that keeps the number
    const one = await api.get(`/api/pbx/extensions/${id}`).expect(200);
    expect(one.body.data).not.toHaveProperty('password');
    expect(JSON.stringify((await api.get('/api/pbx/extensions').expect(200)).body)).not.toContain(password);
    const patched = await api.patch(`/api/pbx/extensions/${id}`, { display_name: 'Still' }).expect(200);
    expect(patched.body.data).not.toHaveProperty('password');
    const [row] = await rows(number);
    expect(JSON.stringify(row)).not.toContain(password);

    expect(await register(number, 'not-the-generated-one')).toBe(401);
    expect(await register(number, password, 60)).toBe(200);
    await waitUntil(
      async () => (await api.get(`/api/pbx/extensions/${id}`)).body.data.registered === true,
      5_000,
      'registered: true',
    );
    expect(await register(number, password, 0)).toBe(200);
  });

  it('a PATCH changing the number without a password returns a new one; the old one stops working', async () => {
    const number = uniqueNumber();
    const created = await api.post('/api/pbx/extensions', { number }).expect(201);
    const old = created.body.data.password as string;
    expect(await register(number, old)).toBe(200);

    const next = uniqueNumber();
    const moved = await api.patch(`/api/pbx/extensions/${created.body.data.id}`, { number: next }).expect(200);
    const fresh = moved.body.data.password as string;
    expect(moved.body.data.number).toBe(next);
    expect(fresh).toMatch(GENERATED);
    expect(fresh).not.toBe(old);
    expect(fresh).not.toContain(next);

    expect(await register(next, fresh)).toBe(200);
    expect(await register(next, old)).toBe(401);
    expect([401, 403]).toContain(await register(number, old));
    const one = await api.get(`/api/pbx/extensions/${created.body.data.id}`).expect(200);
    expect(one.body.data).not.toHaveProperty('password');
  });
});
