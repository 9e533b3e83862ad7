/**
 * Captures the Zorio webhook requests exactly as the code of this commit sends them, as golden
 * files for libs/webhooks/src/__golden__/zorio/. Run once, BEFORE the renderer seam changes:
 *
 *   npx tsx scripts/capture-zorio-golden.ts   (DATABASE_URL: any PostgreSQL; only a temp table is used)
 *
 * The path is the production one: events built by the call funnel's `nextEvent`, stored as the
 * funnel stores them (JSON text cast to jsonb) and read back as the dispatcher reads them
 * (jsonb reorders keys: shorter first, so this step decides the bytes CRMs get), rendered by
 * the current renderer, signed, and POSTed by the real sender to a local receiver, whose
 * received bytes and headers are written. Ids and times are fixed so the files are stable.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { CallEvent, CallEventType, HangupFields, Leg } from '@pbx/call-events';
import { Call, CallStatus } from '@pbx/calls';
import { nextEvent } from '../libs/calls/src/call-event.factory';
import { rendererFor } from '../libs/webhooks/src/webhook-renderer';
import { postWebhook } from '../libs/webhooks/src/webhook-sender';
import { signedHeaders } from '../libs/webhooks/src/webhook-signing';

const OUT = join(__dirname, '..', 'libs', 'webhooks', 'src', '__golden__', 'zorio');
const SECRET = `whsec_${Buffer.from('golden-files-secret-24by').toString('base64')}`;
const AT = new Date('2026-11-22T05:32:40.000Z');

function call(overrides: Partial<Call>): Call {
  return Object.assign(new Call(), {
    status: CallStatus.Queued,
    fromExtension: '1001',
    toPhone: '0987654321',
    callerId: '02873001234',
    lastSequence: 0,
    ...overrides,
  });
}

// one answered call through a trunk, with X- headers (ASCII names, a UTF-8 value) ...
const answered = call({
  callUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a0001',
  aLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00a1',
  bLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00b1',
  trunkId: 4,
  trunkName: 'POC',
  routingMode: 'direct_gateway',
  headers: { Ticket: 'T-42', 'Customer-Name': 'Nguyễn Văn Á', X: '1', crm_ref: 'a"b\\c' },
});
// ... one the agent gave up on, routed by the dial plan, no headers ...
const cancelled = call({
  callUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a0002',
  aLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00a2',
  bLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00b2',
  trunkId: null,
  trunkName: null,
  routingMode: 'dialplan_default',
  headers: {},
});
// ... and one the PBX ended (no cause known)
const failed = call({
  callUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a0003',
  aLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00a3',
  bLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00b3',
  trunkId: 7,
  trunkName: 'Backup carrier',
  routingMode: 'dialplan_default',
  headers: { Ticket: 'T-43' },
});

// ... and header names a CRM may choose that JSON.parse orders on its own (integer-like keys come
// first in JS objects) or that look special ("__proto__" is a plain own key in parsed JSON)
const oddHeaders = call({
  callUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a0004',
  aLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00a4',
  bLegUuid: '7f0c2a52-3a43-4c1e-9b7a-0d6b1f6a00b4',
  trunkId: 4,
  trunkName: 'POC',
  routingMode: 'direct_gateway',
  headers: { Zz: 'z', '123': 'n', '9': 'm', ['__proto__']: 'p', a: '' },
});

let counter = 0;
function event(c: Call, status: CallStatus, type: CallEventType, at: string, leg: Leg | null, extra: Parameters<typeof nextEvent>[4] = {}): CallEvent {
  c.status = status;
  const ref = leg === null ? null : { leg, uuid: leg === 'a' ? c.aLegUuid : c.bLegUuid };
  const built = nextEvent(c, type, new Date(at), ref, extra);
  counter += 1;
  built.id = `0e7d9a4c-1f2b-4c3d-8e9f-${String(counter).padStart(12, '0')}`;
  return built;
}

const hangupB: HangupFields = { disposition: 'ANSWERED', cause: 16, cause_text: 'Normal Clearing', hangup_by: 'b' };
const hangupA: HangupFields = { disposition: 'CANCELLED', cause: 16, cause_text: 'Normal Clearing', hangup_by: 'a' };
const hangupSystem: HangupFields = { disposition: 'FAILED', cause: null, cause_text: null, hangup_by: 'system' };

const cases: Array<[string, CallEvent]> = [
  ['ringing', event(answered, CallStatus.Ringing, 'pbx.call.ringing', '2026-11-22T05:32:01.005Z', 'a')],
  ['answered-a', event(answered, CallStatus.AgentAnswered, 'pbx.call.answered', '2026-11-22T05:32:04.250Z', 'a')],
  ['answered-b', event(answered, CallStatus.Answered, 'pbx.call.answered', '2026-11-22T05:32:11.900Z', 'b')],
  ['hangup-by-b', event(answered, CallStatus.Ended, 'pbx.call.hangup', '2026-11-22T05:32:36.120Z', 'b', { hangup: hangupB })],
  [
    'cdr-created-answered',
    event(answered, CallStatus.Ended, 'pbx.cdr.created', '2026-11-22T05:32:36.120Z', 'a', {
      hangup: hangupB,
      cdr: { started_at: '2026-11-22T05:32:00.000Z', answered_at: '2026-11-22T05:32:11.900Z', ended_at: '2026-11-22T05:32:36.120Z', duration: 36, billsec: 24, disposition: 'ANSWERED' },
    }),
  ],
  ['ringing-dialplan', event(cancelled, CallStatus.Ringing, 'pbx.call.ringing', '2026-11-22T06:00:00.000Z', 'a')],
  ['hangup-by-a', event(cancelled, CallStatus.Ended, 'pbx.call.hangup', '2026-11-22T06:00:09.999Z', 'a', { hangup: hangupA })],
  [
    'cdr-created-unanswered',
    event(cancelled, CallStatus.Ended, 'pbx.cdr.created', '2026-11-22T06:00:09.999Z', 'a', {
      hangup: hangupA,
      cdr: { started_at: '2026-11-22T05:59:59.500Z', answered_at: null, ended_at: '2026-11-22T06:00:09.999Z', duration: 11, billsec: 0, disposition: 'CANCELLED' },
    }),
  ],
  ['hangup-by-system', event(failed, CallStatus.Ended, 'pbx.call.hangup', '2026-11-22T07:15:00.000Z', null, { hangup: hangupSystem })],
  ['ringing-odd-headers', event(oddHeaders, CallStatus.Ringing, 'pbx.call.ringing', '2026-11-22T08:00:00.001Z', 'a')],
];

async function main(): Promise<void> {
  const db = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await db.connect();
  await db.query('CREATE TEMP TABLE golden_events (id uuid PRIMARY KEY, payload jsonb NOT NULL)');
  const received: Array<{ method: string; headers: IncomingMessage['headers']; body: Buffer }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm`;
  mkdirSync(OUT, { recursive: true });
  try {
    for (const [name, stored] of cases) {
      // as the funnel stores it, and as the dispatcher's claim reads it back
      await db.query('INSERT INTO golden_events (id, payload) VALUES ($1, $2::jsonb)', [stored.id, JSON.stringify(stored)]);
      const { rows } = await db.query('SELECT payload FROM golden_events WHERE id = $1', [stored.id]);
      const body = rendererFor('zorio').render(rows[0].payload as CallEvent);
      const result = await postWebhook(url, body, signedHeaders(SECRET, stored.id, body, AT), { timeoutMs: 5_000, allowPrivateNetworks: true });
      if (result.kind !== 'response' || result.status !== 204) throw new Error(`${name}: ${JSON.stringify(result)}`);
      const got = received.pop()!;
      const h = got.headers;
      writeFileSync(join(OUT, `${name}.stored.json`), `${JSON.stringify(stored, null, 2)}\n`);
      writeFileSync(join(OUT, `${name}.body.json`), got.body);
      const headers = {
        method: got.method,
        'content-type': h['content-type'],
        'content-length': h['content-length'],
        'user-agent': h['user-agent'],
        'webhook-id': h['webhook-id'],
        header_names: Object.keys(h).sort(),
      };
      writeFileSync(join(OUT, `${name}.headers.json`), `${JSON.stringify(headers, null, 2)}\n`);
      console.log(`${name}: ${got.body.length} bytes`);
    }
  } finally {
    server.close();
    await db.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
