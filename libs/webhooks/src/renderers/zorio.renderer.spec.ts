import { readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CallEventRecord, ExtensionEventRecord, pbxEventFromRecord } from '@pbx/call-events';
import { webhookId } from '../outbound-request';
import { sendWebhook } from '../webhook-sender';
import { signedHeaders } from '../webhook-signing';
import { zorioRenderer, zorioSends } from './zorio.renderer';

/**
 * The Zorio renderer against the golden files: the requests sent before renderers existed
 * (src/__golden__/README.md). Bodies must be equal byte for byte.
 */
const GOLDEN = join(__dirname, '..', '__golden__', 'zorio');
const CASES = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.stored.json'))
  .map((f) => f.slice(0, -'.stored.json'.length))
  .sort();

const golden = (name: string) => ({
  stored: JSON.parse(readFileSync(join(GOLDEN, `${name}.stored.json`), 'utf8')) as CallEventRecord,
  body: readFileSync(join(GOLDEN, `${name}.body.json`)),
  headers: JSON.parse(readFileSync(join(GOLDEN, `${name}.headers.json`), 'utf8')) as Record<string, string> & {
    header_names: string[];
  },
});

const subscription = { id: 7, url: 'https://crm.example.com/hooks?tenant=1', format: 'zorio' };
const render = (stored: CallEventRecord) => zorioRenderer.render(pbxEventFromRecord(stored), subscription);

describe('zorio renderer (golden files)', () => {
  it('has a golden case for every event type and every hangup side', () => {
    expect(CASES).toEqual([
      'answered-a',
      'answered-b',
      'cdr-created-answered',
      'cdr-created-unanswered',
      'hangup-by-a',
      'hangup-by-b',
      'hangup-by-system',
      'ringing',
      'ringing-dialplan',
      'ringing-odd-headers',
    ]);
  });

  it.each(CASES)('%s: one POST to the subscription URL with the golden body, byte for byte', (name) => {
    const { stored, body, headers } = golden(name);
    const requests = render(stored);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(Buffer.from(request.body!, 'utf8').equals(body)).toBe(true);
    expect(request.body).toBe(body.toString('utf8')); // the same check, with a readable diff
    expect(request).toMatchObject({
      method: headers.method,
      url: subscription.url,
      headers: { 'content-type': headers['content-type'] },
    });
    expect(Buffer.byteLength(request.body!)).toBe(Number(headers['content-length']));
    expect(request.awaitReply).toBeUndefined();
  });

  it.each(CASES)('%s: the same bytes from the payload as jsonb returns it (keys reordered)', (name) => {
    const { body } = golden(name);
    const asClaimed = JSON.parse(body.toString('utf8')) as CallEventRecord;
    expect(render(asClaimed)[0].body).toBe(body.toString('utf8'));
  });

  describe('sent, signed', () => {
    let server: http.Server;
    let url = '';
    const received: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];

    beforeAll(async () => {
      server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({ method: request.method, headers: request.headers, body: Buffer.concat(chunks) });
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it.each(CASES)('%s: the receiver gets the golden bytes and headers', async (name) => {
      const { stored, body, headers } = golden(name);
      const [request] = zorioRenderer.render(pbxEventFromRecord(stored), { ...subscription, url });
      const secret = `whsec_${Buffer.from('golden-files-secret-24by').toString('base64')}`;
      const signed = signedHeaders(
        secret,
        webhookId(stored.id, 0),
        request.body!,
        new Date('2026-11-22T05:32:40.000Z'),
      );
      expect(await sendWebhook(request, signed, { timeoutMs: 2_000, allowPrivateNetworks: true })).toMatchObject({
        kind: 'response',
        status: 204,
      });
      const got = received.pop()!;
      expect(got.body.equals(body)).toBe(true);
      const { header_names: names, ...fixed } = headers;
      expect({
        method: got.method,
        ...Object.fromEntries(
          Object.keys(fixed)
            .filter((k) => k !== 'method')
            .map((k) => [k, got.headers[k]]),
        ),
      }).toEqual(fixed);
      expect(Object.keys(got.headers).sort()).toEqual(names);
    });
  });
});

describe('zorio renderer and recordings', () => {
  const url = 'https://pbx.example.com/recordings/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.mp3';

  it("sends neither pbx.recording.ready nor pbx.recording.failed (Zorio's stream stays the click-to-call one)", () => {
    const { stored } = golden('cdr-created-answered');
    for (const type of ['pbx.recording.ready', 'pbx.recording.failed'] as const) {
      const event = { ...stored, type, recording: { recording_url: url, duration: 3 } };
      expect(zorioSends(pbxEventFromRecord(event))).toBe(false);
      expect(render(event)).toEqual([]);
    }
  });

  it("adds a recorded call's link and status to cdr.created's cdr, after the fields it always had", () => {
    const { stored, body } = golden('cdr-created-answered');
    const recorded = { ...stored, cdr: { ...stored.cdr!, recording_url: url, recording_status: 'pending' as const } };
    const sent = JSON.parse(render(recorded)[0].body!) as { cdr: Record<string, unknown> };
    const before = JSON.parse(body.toString('utf8')) as { cdr: Record<string, unknown> };
    expect(sent.cdr).toEqual({ ...before.cdr, recording_url: url, recording_status: 'pending' });
    expect(Object.keys(sent.cdr).slice(0, Object.keys(before.cdr).length)).toEqual(Object.keys(before.cdr));
  });
});

describe('zorio renderer and extension events', () => {
  const stored: ExtensionEventRecord = {
    id: '5f1c2b7e-2d8f-4b6a-9a3c-1e2d3f4a5b6c',
    type: 'pbx.extension.state_changed',
    occurred_at: '2026-11-30T12:00:00.123Z',
    extension: { number: '1001', state: 'in_call', previous_state: 'ringing' },
  };

  it('sends pbx.extension.state_changed as the stored object (only subscriptions listing it get one)', () => {
    expect(zorioSends(pbxEventFromRecord(stored))).toBe(true);
    const [request, ...more] = zorioRenderer.render(pbxEventFromRecord(stored), subscription);
    expect(more).toEqual([]);
    expect(request).toMatchObject({ method: 'POST', url: subscription.url });
    expect(JSON.parse(request.body!)).toStrictEqual(stored);
  });
});
