import { INestApplicationContext } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { RecordingRetention } from '../libs/recordings/src';
import { startTestApi, TestApi } from './harness/api';
import { sineWav } from './harness/audio-analysis';
import { startTestWorker } from './harness/worker';

/** Collects a body as bytes, whatever its type. */
function bytes(response: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}

/**
 * The public link of a recording (SPEC §3): no token, the MP3 once it is ready (ranges, HEAD),
 * 404 for anything else with its own per-address limit, and retention that deletes file and link.
 */
describe('recording links', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-recording-link-'));
  const NOT_FOUND_LIMIT = 5;
  let api: TestApi;
  let db: Client;
  let mp3: Buffer;
  // every case its own client address (TRUST_PROXY believes the loopback's X-Forwarded-For),
  // so the 404 budget of one does not spend another's
  let address = 0;
  let from = '';

  beforeAll(async () => {
    api = await startTestApi({
      RECORDINGS_DIR: dir,
      RATE_LIMIT_RECORDING_NOT_FOUND: String(NOT_FOUND_LIMIT),
      TRUST_PROXY: '127.0.0.1/32',
    });
    db = new Client({ connectionString: api.context.databaseUrl });
    await db.connect();
    const wav = join(dir, 'tone.wav');
    writeFileSync(wav, sineWav(440, { seconds: 2 }));
    execFileSync('lame', ['--quiet', '-b', '32', wav, join(dir, 'tone.mp3')]);
    mp3 = readFileSync(join(dir, 'tone.mp3'));
  });

  beforeEach(() => {
    from = `10.9.${Math.floor(++address / 250)}.${address % 250}`;
  });

  afterAll(async () => {
    await db?.end();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A recording row (and the call it belongs to), and its file when given. */
  async function recording(
    status: 'pending' | 'ready' | 'failed',
    options: { file?: Buffer; readyDaysAgo?: number; createdDaysAgo?: number } = {},
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const callUuid = randomUUID();
    await db.query(
      `INSERT INTO calls (call_uuid, status, a_leg_uuid, b_leg_uuid, from_extension, to_phone, caller_id, routing_mode, record)
       VALUES ($1, 'ended', $2, $3, '1001', '0901234567', '1001', 'dialplan_default', true)`,
      [callUuid, randomUUID(), randomUUID()],
    );
    await db.query(
      `INSERT INTO recordings (token, call_uuid, status, created_at, ready_at, bytes)
       VALUES ($1, $2, $3::varchar, now() - make_interval(secs => $4::float8 * 86400),
               CASE WHEN $3::varchar = 'ready' THEN now() - make_interval(secs => $5::float8 * 86400) END, $6)`,
      [token, callUuid, status, options.createdDaysAgo ?? 0, options.readyDaysAgo ?? 0, options.file?.length ?? null],
    );
    if (options.file) writeFileSync(join(dir, `${token}.mp3`), options.file);
    return token;
  }

  const get = (path: string, headers: Record<string, string> = {}) =>
    api.http().get(path).set('X-Forwarded-For', from).set(headers).buffer(true).parse(bytes);
  const head = (path: string) => api.http().head(path).set('X-Forwarded-For', from);
  const link = (token: string) => `/recordings/${token}.mp3`;
  const statusOf = async (token: string) =>
    (await db.query<{ status: string }>('SELECT status FROM recordings WHERE token = $1', [token])).rows[0].status;

  it('serves a ready recording without a token: the same bytes, as audio/mpeg, cacheable', async () => {
    const token = await recording('ready', { file: mp3 });
    const response = await get(link(token));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'audio/mpeg',
      'accept-ranges': 'bytes',
      'content-length': String(mp3.length),
      'cross-origin-resource-policy': 'cross-origin',
    });
    expect(response.headers['cache-control']).toMatch(/^private, max-age=\d{6,}/);
    expect(Buffer.compare(response.body as Buffer, mp3)).toBe(0);
    // an MP3 frame header: what lame wrote, not a page about it
    expect((response.body as Buffer).subarray(0, 3).toString('latin1')).toMatch(/^(ID3|\xff[\xe0-\xff])/);
  });

  it('answers byte ranges: a slice, an open end, a suffix, several (whole file) and 416 past the end', async () => {
    const token = await recording('ready', { file: mp3 });
    const size = mp3.length;
    const slice = await get(link(token), { Range: 'bytes=100-299' });
    expect([slice.status, slice.headers['content-range'], slice.headers['content-length']]).toEqual([
      206,
      `bytes 100-299/${size}`,
      '200',
    ]);
    expect(Buffer.compare(slice.body as Buffer, mp3.subarray(100, 300))).toBe(0);

    const open = await get(link(token), { Range: `bytes=${size - 10}-` });
    expect([open.status, open.headers['content-range']]).toEqual([206, `bytes ${size - 10}-${size - 1}/${size}`]);
    expect(Buffer.compare(open.body as Buffer, mp3.subarray(size - 10))).toBe(0);

    const suffix = await get(link(token), { Range: 'bytes=-500' });
    expect([suffix.status, suffix.headers['content-range']]).toEqual([206, `bytes ${size - 500}-${size - 1}/${size}`]);
    expect(Buffer.compare(suffix.body as Buffer, mp3.subarray(size - 500))).toBe(0);

    const several = await get(link(token), { Range: 'bytes=0-9,20-29' });
    expect([several.status, several.headers['content-range']]).toEqual([200, undefined]);
    expect(Buffer.compare(several.body as Buffer, mp3)).toBe(0);

    const past = await get(link(token), { Range: `bytes=${size}-` });
    expect([past.status, past.headers['content-range']]).toEqual([416, `bytes */${size}`]);
    expect(JSON.parse((past.body as Buffer).toString())).toMatchObject({ error: { code: 'range_not_satisfiable' } });
  });

  it('HEAD gives the headers of the whole file without a body', async () => {
    const token = await recording('ready', { file: mp3 });
    const response = await head(link(token)).set('Range', 'bytes=0-9');
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'audio/mpeg',
      'accept-ranges': 'bytes',
      'content-length': String(mp3.length),
    });
    expect(response.text ?? '').toBe('');
    expect((await head(link(randomBytes(32).toString('base64url')))).status).toBe(404);
  });

  it('answers 404 for a guessed token, a malformed one, a missing file, and until the recording is ready', async () => {
    const notFound = async (path: string) => {
      const response = await get(path);
      expect({ path, status: response.status, body: JSON.parse((response.body as Buffer).toString()) }).toMatchObject({
        path,
        status: 404,
        body: { error: { code: 'not_found' } },
      });
    };
    await notFound(link(randomBytes(32).toString('base64url')));
    await notFound('/recordings/not-a-token.mp3');

    from = '10.8.0.1';
    const token = await recording('pending');
    await notFound(link(token));
    writeFileSync(join(dir, `${token}.mp3`), mp3);
    await notFound(link(token));
    await db.query(`UPDATE recordings SET status = 'ready', ready_at = now() WHERE token = $1`, [token]);
    expect((await get(link(token))).status).toBe(200);
    await notFound(`/recordings/${token}.wav`);
    await notFound(`/recordings/${token}`);

    from = '10.8.0.2';
    const failed = await recording('failed', { file: mp3 });
    await notFound(link(failed));
    const gone = await recording('ready', { file: mp3 });
    rmSync(join(dir, `${gone}.mp3`));
    await notFound(link(gone));
  });

  it('limits 404s per address (429 with Retry-After), successes not counted, other addresses unaffected', async () => {
    const token = await recording('ready', { file: mp3 });
    // successes first: they do not spend the budget
    for (let i = 0; i < NOT_FOUND_LIMIT + 2; i++) expect((await get(link(token))).status).toBe(200);
    for (let i = 0; i < NOT_FOUND_LIMIT; i++)
      expect((await get(link(randomBytes(32).toString('base64url')))).status).toBe(404);
    const refused = await get(link(randomBytes(32).toString('base64url')));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse((refused.body as Buffer).toString())).toMatchObject({ error: { code: 'rate_limited' } });
    // the address is stopped, also for a real link; another address is not
    expect((await get(link(token))).status).toBe(429);
    from = '10.7.0.1';
    expect((await get(link(token))).status).toBe(200);
  });

  it('retention deletes the file and the link of recordings past RECORDINGS_RETENTION_DAYS, keeps newer ones', async () => {
    const old = await recording('ready', { file: mp3, createdDaysAgo: 31.1, readyDaysAgo: 31 });
    const recent = await recording('ready', { file: mp3, createdDaysAgo: 40, readyDaysAgo: 29 });
    const oldFailed = await recording('failed', { createdDaysAgo: 31 });
    const oldPending = await recording('pending', { createdDaysAgo: 100 });
    expect((await get(link(old))).status).toBe(200);

    let worker: INestApplicationContext | undefined;
    try {
      worker = await startTestWorker({ RECORDINGS_DIR: dir, RECORDINGS_RETENTION_DAYS: '30' });
      // the run at boot may still be going: this joins it, or runs again (nothing left to do)
      await worker.get(RecordingRetention).run();
      expect(await worker.get(RecordingRetention).run()).toBe(0);
    } finally {
      await worker?.close();
    }
    expect(await statusOf(old)).toBe('deleted');
    expect(existsSync(join(dir, `${old}.mp3`))).toBe(false);
    expect((await get(link(old))).status).toBe(404);
    const { rows } = await db.query<{ deleted_at: Date | null }>('SELECT deleted_at FROM recordings WHERE token = $1', [
      old,
    ]);
    expect(rows[0].deleted_at).toBeInstanceOf(Date);

    expect(await statusOf(recent)).toBe('ready');
    expect(existsSync(join(dir, `${recent}.mp3`))).toBe(true);
    expect((await get(link(recent))).status).toBe(200);
    expect(await statusOf(oldFailed)).toBe('deleted');
    expect(await statusOf(oldPending)).toBe('pending');
  });
});
