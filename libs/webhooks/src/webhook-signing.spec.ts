import { Webhook } from 'standardwebhooks';
import { CallEvent, pbxEventFromRecord } from '@pbx/call-events';
import { generateSecret, secretPrefix, signedHeaders } from './webhook-signing';
import { rendererFor } from './renderers';

const event: CallEvent = {
  id: '6f1f1f0e-8f38-4c9e-9d0a-3b0f0a9f1c11',
  type: 'pbx.call.answered',
  occurred_at: '2025-11-22T05:00:00.000Z',
  call_uuid: '0b8b8c0e-1111-4c9e-9d0a-3b0f0a9f1c11',
  sequence: 2,
  leg: 'b',
  leg_uuid: '0b8b8c0e-2222-4c9e-9d0a-3b0f0a9f1c11',
  call: {
    call_uuid: '0b8b8c0e-1111-4c9e-9d0a-3b0f0a9f1c11',
    a_leg_uuid: '0b8b8c0e-3333-4c9e-9d0a-3b0f0a9f1c11',
    b_leg_uuid: '0b8b8c0e-2222-4c9e-9d0a-3b0f0a9f1c11',
    from_extension: '1001',
    to_phone: '0901234567',
    caller_id: '02812345678',
    trunk_id: 1,
    trunk_name: 'POC',
    routing_mode: 'direct_gateway',
    status: 'answered',
    headers: { 'X-Crm-Id': 'abc' },
  },
};

/** The body the Zorio renderer sends for a stored event. */
const zorioBody = (stored: CallEvent, format = 'zorio') =>
  rendererFor(format).render(pbxEventFromRecord(stored), { id: 1, url: 'https://crm.example.com/in', format })[0].body!;

describe('webhook signing', () => {
  it('generates Standard Webhooks secrets: whsec_ and 24 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(generateSecret()).not.toBe(secret);
    expect(secretPrefix(secret)).toBe(secret.slice(0, 10));
  });

  it('signs so that the standardwebhooks library verifies the body', () => {
    const secret = generateSecret();
    const body = zorioBody(event);
    const headers = signedHeaders(secret, event.id, body);
    expect(headers['webhook-id']).toBe(event.id);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(event);
  });

  it('the signature covers the body, the id and the secret', () => {
    const secret = generateSecret();
    const body = zorioBody(event);
    const headers = { ...signedHeaders(secret, event.id, body) };
    expect(() => new Webhook(secret).verify(body.replace('1001', '1002'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'other' })).toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it('keeps the id across retries and stamps each attempt with its own time', () => {
    const secret = generateSecret();
    const body = zorioBody(event);
    const first = signedHeaders(secret, event.id, body, new Date('2025-11-22T05:00:00Z'));
    const retry = signedHeaders(secret, event.id, body, new Date('2025-11-22T05:00:10Z'));
    expect(retry['webhook-id']).toBe(first['webhook-id']);
    expect(Number(retry['webhook-timestamp']) - Number(first['webhook-timestamp'])).toBe(10);
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
  });
});

describe('renderers', () => {
  it('zorio sends the stored event as it is', () => {
    expect(JSON.parse(zorioBody(event))).toEqual(event);
  });

  it('refuses an unknown format rather than sending something else', () => {
    expect(() => rendererFor('hubspot')).toThrow(/no webhook renderer/);
  });
});
