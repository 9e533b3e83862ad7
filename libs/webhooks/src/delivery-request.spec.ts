import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallEventRecord, PbxEvent } from '@pbx/call-events';
import { prepareDelivery } from './delivery-request';
import { OutboundRequest, webhookId } from './outbound-request';
import { DEFAULT_RENDERERS } from './renderers';
import { RenderTarget, WebhookRenderer, WebhookRenderers } from './webhook-renderer';

const stored = JSON.parse(
  readFileSync(join(__dirname, '__golden__', 'zorio', 'hangup-by-b.stored.json'), 'utf8'),
) as CallEventRecord;
const EVENT_ID = stored.id;

/** A dialect of three requests per event, the shapes partner formats need. */
const seen: Array<{ event: PbxEvent; subscription: RenderTarget }> = [];
const three: WebhookRenderer = {
  format: 'three',
  render: (event, subscription): OutboundRequest[] => {
    seen.push({ event, subscription });
    if (event.type === 'pbx.extension.state_changed') return [];
    return [
      {
        method: 'GET',
        url: `${subscription.url}?callid=${encodeURIComponent(event.callUuid)}`,
        headers: {},
        body: null,
      },
      {
        method: 'POST',
        url: subscription.url,
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
        body: '--b\r\n…\r\n--b--\r\n',
        awaitReply: { deadlineMs: 2000 },
      },
      { method: 'PUT', url: subscription.url, headers: {}, body: '{}' },
    ];
  },
};
const none: WebhookRenderer = { format: 'none', render: () => [] };
const broken: WebhookRenderer = {
  format: 'broken',
  render: () => {
    throw new Error('no such field');
  },
};
const renderers: WebhookRenderers = new Map([
  ...DEFAULT_RENDERERS,
  ...[three, none, broken].map((r) => [r.format, r] as const),
]);

const delivery = (format: string, requestIndex: number, payload: CallEventRecord = stored) => ({
  eventId: EVENT_ID,
  requestIndex,
  payload,
  subscriptionId: 3,
  url: 'https://crm.example.com/in',
  format,
});

describe('webhook-id', () => {
  it('is the event id for the first request and <event id>.<n> for request n', () => {
    expect(webhookId(EVENT_ID, 0)).toBe(EVENT_ID);
    expect(webhookId(EVENT_ID, 1)).toBe(`${EVENT_ID}.1`);
    expect(webhookId(EVENT_ID, 12)).toBe(`${EVENT_ID}.12`);
  });
});

describe('prepareDelivery (the renderer contract as the dispatcher uses it)', () => {
  beforeEach(() => (seen.length = 0));

  it('renders the stored event as our own type for the subscription, without its secret', () => {
    prepareDelivery(delivery('three', 0), renderers);
    expect(seen).toHaveLength(1);
    expect(seen[0].subscription).toEqual({ id: 3, url: 'https://crm.example.com/in', format: 'three' });
    expect(seen[0].event).toMatchObject({
      id: EVENT_ID,
      callUuid: stored.call_uuid,
      legUuid: stored.leg_uuid,
      hangup: { by: 'b', causeText: 'Normal Clearing' },
    });
  });

  it.each([
    [0, 'GET', EVENT_ID],
    [1, 'POST', `${EVENT_ID}.1`],
    [2, 'PUT', `${EVENT_ID}.2`],
  ])('request %i of three: the %s, signed as %s, and the count of requests', (index, method, id) => {
    const prepared = prepareDelivery(delivery('three', index), renderers);
    expect(prepared).toMatchObject({ kind: 'send', webhookId: id, requestCount: 3, request: { method } });
  });

  it('carries the request as rendered, awaitReply included, to the sender', () => {
    const prepared = prepareDelivery(delivery('three', 1), renderers) as { request: OutboundRequest };
    expect(prepared.request.awaitReply).toEqual({ deadlineMs: 2000 });
    expect(prepared.request.body).toBe('--b\r\n…\r\n--b--\r\n');
  });

  it('has nothing to send past the last request, or for a format that renders none', () => {
    expect(prepareDelivery(delivery('three', 3), renderers)).toEqual({ kind: 'nothing', requestCount: 3 });
    expect(prepareDelivery(delivery('none', 0), renderers)).toEqual({ kind: 'nothing', requestCount: 0 });
  });

  it('turns an unknown format, a throwing renderer or a payload that is no event into an error, not a throw', () => {
    expect(prepareDelivery(delivery('hubspot', 0), renderers)).toEqual({
      kind: 'unrenderable',
      error: 'no webhook renderer for format "hubspot"',
    });
    expect(prepareDelivery(delivery('broken', 0), renderers)).toEqual({ kind: 'unrenderable', error: 'no such field' });
    expect(prepareDelivery(delivery('zorio', 0, {} as CallEventRecord), renderers)).toEqual({
      kind: 'unrenderable',
      error: expect.stringContaining('not a call event record'),
    });
  });

  it('zorio is one request per event: the event id is its webhook-id, as before', () => {
    expect(prepareDelivery(delivery('zorio', 0), DEFAULT_RENDERERS)).toMatchObject({
      kind: 'send',
      webhookId: EVENT_ID,
      requestCount: 1,
      request: { method: 'POST' },
    });
    expect(prepareDelivery(delivery('zorio', 1), DEFAULT_RENDERERS)).toEqual({ kind: 'nothing', requestCount: 1 });
  });
});
