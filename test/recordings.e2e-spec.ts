import { INestApplicationContext } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { startTestApi, TestApi, uniqueNumber } from './harness/api';
import { analyse, AudioAnalysis, parseWav } from './harness/audio-analysis';
import { phonePassword } from './harness/phone-password';
import { SipPeer, sleep, waitUntil } from './harness/sip-peer';
import { startTestWorker, WorkerLog } from './harness/worker';

const run = promisify(execFile);

const AGENT_TONE = 440;
const CUSTOMER_TONE = 1000;
const TARGET_TONE = 700;
const PUBLIC_BASE_URL = 'https://pbx.example.test';

interface EventRow {
  type: string;
  sequence: number;
  payload: {
    cdr?: { recording_url?: string; recording_status?: string };
    recording?: { recording_url: string; duration?: number; reason?: string };
  };
}
interface RecordingRow {
  token: string;
  status: string;
  segments: string[];
  active_segment: string | null;
  duration_seconds: number | null;
  bytes: string | null;
  failure_reason: string | null;
}

/** The MP3's first frame header: MPEG-1 (version bits 11), Layer III (layer bits 01). */
function firstFrameIsMpeg1Layer3(mp3: Buffer): boolean {
  let at = 0;
  // an ID3v2 tag may come first: 10 bytes of header, then a syncsafe size
  if (mp3.toString('latin1', 0, 3) === 'ID3') at = 10 + ((mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9]);
  return mp3[at] === 0xff && (mp3[at + 1] & 0xfe) === 0xfa;
}

/** The MP3 decoded by Debian's mpg123 (as a listener would), as seconds of audio and their analysis. */
async function decode(file: string): Promise<{ seconds: number; audio: AudioAnalysis }> {
  const wav = `${file}.decoded.wav`;
  await run('mpg123', ['-q', '-w', wav, file]);
  const pcm = parseWav(readFileSync(wav));
  return { seconds: pcm.samples.length / pcm.sampleRate, audio: analyse(pcm) };
}

const describeAudio = (audio: AudioAnalysis) =>
  [AGENT_TONE, CUSTOMER_TONE, TARGET_TONE].map((hz) => `${hz} Hz ${audio.share(hz).toFixed(3)}`).join(', ');

/**
 * Recordings (SPEC section 3), the worker's side: Asterisk records the call's bridge, the worker
 * makes one MP3 per call under RECORDINGS_DIR once the call is over. Each party sends its own
 * tone, so what the recording holds is measured on the decoded MP3, not assumed.
 */
describe('recordings (real Asterisk, carrier and desk phones)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let peer: SipPeer;
  let db: Client;
  let trunk: { id: number };
  const dir = mkdtempSync(join(tmpdir(), 'pbx-recordings-'));
  const workerLog = new WorkerLog();
  const workerEnv = { RING_TIMEOUT: '8', RECORDINGS_DIR: dir, PUBLIC_BASE_URL };

  beforeAll(async () => {
    // the API serves the links from the folder the worker writes
    api = await startTestApi({ PUBLIC_BASE_URL, RECORDINGS_DIR: dir });
    worker = await startTestWorker(workerEnv, workerLog);
    peer = await SipPeer.connect(api.context);
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    trunk = (
      await api
        .post('/api/pbx/trunks', {
          name: `carrier-${uniqueNumber()}`,
          host: api.context.peer.carrierAddress,
          port: api.context.peer.carrierPort,
        })
        .expect(201)
    ).body.data;
    await waitUntil(async () => (await api.http().get('/health')).status === 200, 10_000, 'health');
  });

  afterAll(async () => {
    await peer?.close();
    await db?.end();
    await worker?.close();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function phone(fields: Record<string, unknown> = {}): Promise<string> {
    const number = uniqueNumber();
    const password = phonePassword(number);
    await api.post('/api/pbx/extensions', { number, password, ...fields }).expect(201);
    await peer.addPhone(number, password);
    await peer.waitRegistration(number, 'Registered');
    return number;
  }
  const getCall = async (uuid: string) => (await api.get(`/api/pbx/calls/${uuid}`).expect(200)).body.data;
  async function waitStatus(uuid: string, status: string, timeoutMs = 20_000): Promise<void> {
    await waitUntil(async () => (await getCall(uuid)).status === status, timeoutMs, `call ${status}`);
  }
  const control = (uuid: string, action: string, body: unknown = {}) =>
    api.post(`/api/pbx/calls/${uuid}/${action}`, body);
  const eventsOf = async (uuid: string): Promise<EventRow[]> =>
    (await db.query('SELECT type, sequence, payload FROM call_events WHERE call_uuid = $1 ORDER BY sequence', [uuid]))
      .rows;
  const recordingOf = async (uuid: string): Promise<RecordingRow | undefined> =>
    (await db.query('SELECT * FROM recordings WHERE call_uuid = $1', [uuid])).rows[0];
  async function settled(uuid: string): Promise<RecordingRow> {
    await waitUntil(
      async () => ['ready', 'failed'].includes((await recordingOf(uuid))?.status ?? ''),
      30_000,
      'recording settled',
    );
    return (await recordingOf(uuid))!;
  }
  const cdrOf = async (uuid: string) => (await db.query('SELECT * FROM cdrs WHERE call_uuid = $1', [uuid])).rows[0];

  /** A click-to-call from a new agent (440 Hz) to a customer (1000 Hz), both answered. */
  async function clickToCall(extra: Record<string, unknown> = {}, agentFields: Record<string, unknown> = {}) {
    const agent = await phone(agentFields);
    const customer = `09${uniqueNumber()}`;
    peer.setBehavior(`phone-${agent}`, { kind: 'answer', afterMs: 200, tone: AGENT_TONE });
    peer.setBehavior(customer, { kind: 'answer', afterMs: 200, tone: CUSTOMER_TONE });
    const accepted = await api
      .post('/api/pbx/calls/click-to-call', { from_extension: agent, to_phone: customer, trunk_id: trunk.id, ...extra })
      .expect(202);
    const uuid: string = accepted.body.data.call_uuid;
    await waitStatus(uuid, 'answered');
    return { agent, customer, uuid };
  }

  async function hangUp(uuid: string): Promise<void> {
    await control(uuid, 'hangup').expect(202);
    await waitStatus(uuid, 'ended');
  }

  it('a recorded click-to-call: one MPEG-1 Layer III file as long as billsec with both voices; the CDR links it; ready after cdr.created', async () => {
    const { uuid } = await clickToCall({ record: true });
    await sleep(4_000);
    await hangUp(uuid);

    const cdr = await cdrOf(uuid);
    expect(cdr.disposition).toBe('ANSWERED');
    expect(cdr.recording_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = `${PUBLIC_BASE_URL}/recordings/${cdr.recording_token}.mp3`;
    const created = (await eventsOf(uuid)).find((e) => e.type === 'pbx.cdr.created')!;
    expect(created.payload.cdr).toMatchObject({ recording_url: url, recording_status: 'pending' });

    const recording = await settled(uuid);
    expect(recording).toMatchObject({ token: cdr.recording_token, status: 'ready', segments: [`${uuid}-1`] });
    const file = join(dir, `${recording.token}.mp3`);
    const mp3 = readFileSync(file);
    expect(firstFrameIsMpeg1Layer3(mp3)).toBe(true);
    expect(Number(recording.bytes)).toBe(mp3.length);
    const { seconds, audio } = await decode(file);
    expect(Math.abs(seconds - cdr.billsec)).toBeLessThanOrEqual(1);
    expect(Math.abs(recording.duration_seconds! - cdr.billsec)).toBeLessThanOrEqual(1);
    const heard = { agent: audio.share(AGENT_TONE) > 0.15, customer: audio.share(CUSTOMER_TONE) > 0.15 };
    expect({ heard, audio: describeAudio(audio) }).toMatchObject({ heard: { agent: true, customer: true } });

    const events = await eventsOf(uuid);
    const ready = events.find((e) => e.type === 'pbx.recording.ready')!;
    expect(ready.sequence).toBeGreaterThan(created.sequence);
    expect(ready.payload.recording).toEqual({ recording_url: url, duration: recording.duration_seconds });
    const cdrs = (await api.get(`/api/pbx/cdrs?call_uuid=${uuid}`).expect(200)).body.data;
    expect(cdrs[0]).toMatchObject({ recording_url: url, recording_status: 'ready' });
    expect(await getCall(uuid)).toMatchObject({ recording_url: url, recording_status: 'ready' });
  });

  it('the flags: record on extensions (never by default, never | always) and click-to-call (a boolean, strictly)', async () => {
    const number = uniqueNumber();
    const created = (await api.post('/api/pbx/extensions', { number }).expect(201)).body.data;
    expect(created.record).toBe('never');
    const patched = await api.patch(`/api/pbx/extensions/${created.id}`, { record: 'always' }).expect(200);
    expect(patched.body.data.record).toBe('always');
    await api.patch(`/api/pbx/extensions/${created.id}`, { record: 'sometimes' }).expect(422);
    const refused = await api
      .post('/api/pbx/calls/click-to-call', { from_extension: number, to_phone: '0912345678', record: 'true' })
      .expect(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'record' })]);
  });

  it('a call not recorded has no recording, no link on its CDR, and its cdr.created is unchanged', async () => {
    const { uuid } = await clickToCall();
    await sleep(1_000);
    await hangUp(uuid);
    expect(await recordingOf(uuid)).toBeUndefined();
    expect((await cdrOf(uuid)).recording_token).toBeNull();
    const created = (await eventsOf(uuid)).find((e) => e.type === 'pbx.cdr.created')!;
    expect(created.payload.cdr).not.toHaveProperty('recording_url');
    expect((await api.get(`/api/pbx/cdrs?call_uuid=${uuid}`).expect(200)).body.data[0]).not.toHaveProperty(
      'recording_url',
    );
  });

  it("the agent's extension with record: always records its click-to-call", async () => {
    const { uuid } = await clickToCall({}, { record: 'always' });
    await sleep(2_000);
    await hangUp(uuid);
    expect((await settled(uuid)).status).toBe('ready');
  });

  /** A carrier's call (1000 Hz) to a DID routed to a new phone (440 Hz), answered, then hung up after 2 s. */
  async function inboundCall(routeFields: Record<string, unknown>, phoneFields: Record<string, unknown>) {
    const ext = await phone(phoneFields);
    const did = `8428${uniqueNumber()}`;
    await api
      .post('/api/pbx/inbound-routes', { did, destination: { type: 'extension', number: ext }, ...routeFields })
      .expect(201);
    peer.setBehavior(`phone-${ext}`, { kind: 'answer', afterMs: 200, tone: AGENT_TONE });
    await peer.carrierCall({ did, fromUser: `09${uniqueNumber()}`, tone: CUSTOMER_TONE });
    await waitUntil(
      async () => (await db.query('SELECT 1 FROM calls WHERE did = $1', [did])).rows.length > 0,
      5_000,
      'call stored',
    );
    const uuid: string = (await db.query('SELECT call_uuid FROM calls WHERE did = $1', [did])).rows[0].call_uuid;
    await waitStatus(uuid, 'answered');
    await sleep(2_000);
    await hangUp(uuid);
    return uuid;
  }

  it.each([
    ['the inbound route', { record: 'always' }, {}],
    ['the answering extension', {}, { record: 'always' }],
  ])('an inbound call is recorded when %s asks', async (_who, routeFields, phoneFields) => {
    const uuid = await inboundCall(routeFields, phoneFields);
    const recording = await settled(uuid);
    expect(recording.status).toBe('ready');
    expect((await cdrOf(uuid)).recording_token).toBe(recording.token);
    const { audio } = await decode(join(dir, `${recording.token}.mp3`));
    const heard = { phone: audio.share(AGENT_TONE) > 0.15, carrier: audio.share(CUSTOMER_TONE) > 0.15 };
    expect({ heard, audio: describeAudio(audio) }).toMatchObject({ heard: { phone: true, carrier: true } });
  });

  it('an inbound call nobody asks to record is not recorded', async () => {
    const uuid = await inboundCall({}, {});
    await sleep(500);
    expect(await recordingOf(uuid)).toBeUndefined();
  });

  it('a call transferred while recording gives one file covering both parts', async () => {
    const { uuid } = await clickToCall({ record: true });
    const target = await phone();
    peer.setBehavior(`phone-${target}`, { kind: 'answer', afterMs: 200, tone: TARGET_TONE });
    await sleep(2_500);
    await control(uuid, 'transfer', { to: target }).expect(202);
    await waitUntil(
      async () =>
        ((await getCall(uuid)).legs as Array<{ extension: string | null; state: string }>).some(
          (l) => l.extension === target && l.state === 'answered',
        ),
      15_000,
      'transfer answered',
    );
    await sleep(5_000);
    await hangUp(uuid);

    const recording = await settled(uuid);
    expect(recording).toMatchObject({ status: 'ready', segments: [`${uuid}-1`] });
    const { seconds, audio } = await decode(join(dir, `${recording.token}.mp3`));
    const cdr = await cdrOf(uuid);
    expect(Math.abs(seconds - cdr.billsec)).toBeLessThanOrEqual(1);
    const heard = {
      agent: audio.share(AGENT_TONE) > 0.05,
      customer: audio.share(CUSTOMER_TONE) > 0.05,
      target: audio.share(TARGET_TONE) > 0.05,
    };
    expect({ heard, audio: describeAudio(audio) }).toMatchObject({
      heard: { agent: true, customer: true, target: true },
    });
  });

  it('API start and stop twice: one file of the two segments; stop when not recording is 409 recording_not_active', async () => {
    const { uuid } = await clickToCall();
    const notRecording = await control(uuid, 'recording', { action: 'stop' }).expect(409);
    expect(notRecording.body.error.code).toBe('recording_not_active');
    for (let round = 0; round < 2; round++) {
      await control(uuid, 'recording', { action: 'start' }).expect(202);
      if (round === 0) {
        const call = await getCall(uuid);
        expect(call.recording_url).toMatch(new RegExp(`^${PUBLIC_BASE_URL}/recordings/[A-Za-z0-9_-]{43}\\.mp3$`));
        expect(call.recording_status).toBe('pending');
      }
      await sleep(2_000);
      await control(uuid, 'recording', { action: 'stop' }).expect(202);
      await sleep(2_000);
    }
    expect((await control(uuid, 'recording', { action: 'stop' }).expect(409)).body.error.code).toBe(
      'recording_not_active',
    );
    await control(uuid, 'recording', { action: 'bogus' }).expect(422);
    await hangUp(uuid);

    const recording = await settled(uuid);
    expect(recording).toMatchObject({ status: 'ready', segments: [`${uuid}-1`, `${uuid}-2`], active_segment: null });
    const { seconds } = await decode(join(dir, `${recording.token}.mp3`));
    // two segments of about 2 s each, not the whole call (about 8 s)
    expect(seconds).toBeGreaterThan(3);
    expect(seconds).toBeLessThan(5.5);
    expect((await cdrOf(uuid)).billsec).toBeGreaterThanOrEqual(7);
  });

  it('start before the call is answered is 409 call_not_answered; after the end, 409 call_ended', async () => {
    const agent = await phone();
    peer.setBehavior(`phone-${agent}`, { kind: 'ring' });
    const accepted = await api
      .post('/api/pbx/calls/click-to-call', {
        from_extension: agent,
        to_phone: `09${uniqueNumber()}`,
        trunk_id: trunk.id,
      })
      .expect(202);
    const uuid: string = accepted.body.data.call_uuid;
    await waitStatus(uuid, 'ringing');
    expect((await control(uuid, 'recording', { action: 'start' }).expect(409)).body.error.code).toBe(
      'call_not_answered',
    );
    await hangUp(uuid);
    expect((await control(uuid, 'recording', { action: 'start' }).expect(409)).body.error.code).toBe('call_ended');
    expect(await recordingOf(uuid)).toBeUndefined();
  });

  it('an encoder that fails: the call and its CDR are normal, pbx.recording.failed and an error line naming the call', async () => {
    await worker.close();
    worker = await startTestWorker({ ...workerEnv, RECORDINGS_ENCODER: '/bin/false' }, workerLog);
    const since = Date.now();
    const { uuid } = await clickToCall({ record: true });
    await sleep(2_000);
    await hangUp(uuid);

    const cdr = await cdrOf(uuid);
    expect(cdr).toMatchObject({ disposition: 'ANSWERED', hangup_by: 'api' });
    expect(cdr.billsec).toBeGreaterThanOrEqual(1);
    const recording = await settled(uuid);
    expect(recording.status).toBe('failed');
    expect(recording.failure_reason).toMatch(/encoder \/bin\/false failed/);
    expect(existsSync(join(dir, `${recording.token}.mp3`))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const events = await eventsOf(uuid);
    const failed = events.find((e) => e.type === 'pbx.recording.failed')!;
    expect(failed.payload.recording).toMatchObject({
      recording_url: `${PUBLIC_BASE_URL}/recordings/${recording.token}.mp3`,
      reason: expect.stringMatching(/encoder/),
    });
    expect(failed.sequence).toBeGreaterThan(events.find((e) => e.type === 'pbx.cdr.created')!.sequence);
    expect(workerLog.errorsSince(since).some((l) => l.includes(uuid) && l.includes('recording failed'))).toBe(true);
  });

  it('a RECORDINGS_DIR that cannot be written: the call is normal, pbx.recording.failed names why', async () => {
    const notADir = join(dir, 'not-a-folder');
    writeFileSync(notADir, '');
    await worker.close();
    worker = await startTestWorker({ ...workerEnv, RECORDINGS_DIR: notADir }, workerLog);
    const since = Date.now();
    const { uuid } = await clickToCall({ record: true });
    await sleep(1_500);
    await hangUp(uuid);
    expect(await cdrOf(uuid)).toMatchObject({ disposition: 'ANSWERED', hangup_by: 'api' });
    const recording = await settled(uuid);
    expect(recording).toMatchObject({ status: 'failed', failure_reason: expect.stringMatching(/EEXIST|ENOTDIR/) });
    const failed = (await eventsOf(uuid)).find((e) => e.type === 'pbx.recording.failed')!;
    expect(failed.payload.recording?.reason).toBe(recording.failure_reason);
    expect(workerLog.errorsSince(since).some((l) => l.includes(uuid) && l.includes('recording failed'))).toBe(true);
  });

  it('the link in pbx.cdr.created answers 404 until pbx.recording.ready, then the MP3, whole and by range, without a token', async () => {
    // an encoder that takes its time, so the link is asked while the recording is still pending
    const slowLame = join(dir, 'slow-lame.sh');
    writeFileSync(slowLame, '#!/bin/sh\nsleep 3\nexec lame "$@"\n');
    chmodSync(slowLame, 0o755);
    await worker.close();
    worker = await startTestWorker({ ...workerEnv, RECORDINGS_ENCODER: slowLame }, workerLog);
    const { uuid } = await clickToCall({ record: true });
    await sleep(2_000);
    await hangUp(uuid);
    const created = (await eventsOf(uuid)).find((e) => e.type === 'pbx.cdr.created')!;
    const url = new URL(String((created.payload.cdr as { recording_url: string }).recording_url));
    expect(url.origin).toBe(PUBLIC_BASE_URL);
    expect((await recordingOf(uuid))?.status).toBe('pending');
    await api.http().get(url.pathname).expect(404);

    const recording = await settled(uuid);
    expect(recording.status).toBe('ready');
    expect((await eventsOf(uuid)).some((e) => e.type === 'pbx.recording.ready')).toBe(true);
    const whole = await api
      .http()
      .get(url.pathname)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(whole.headers['content-type']).toBe('audio/mpeg');
    const onDisk = readFileSync(join(dir, `${recording.token}.mp3`));
    expect(Buffer.compare(whole.body as Buffer, onDisk)).toBe(0);
    const slice = await api
      .http()
      .get(url.pathname)
      .set('Range', 'bytes=100-199')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(206);
    expect(Buffer.compare(slice.body as Buffer, onDisk.subarray(100, 200))).toBe(0);
  });
});
