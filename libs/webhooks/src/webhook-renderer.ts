import { PbxEvent } from '@pbx/call-events';
import { OutboundRequest } from './outbound-request';

/** The formats a subscription may choose (the API refuses others). */
export const WEBHOOK_FORMATS = ['zorio'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The subscription as a renderer sees it: where and how to deliver, never its secret. */
export interface RenderTarget {
  id: number;
  url: string;
  format: string;
}

/**
 * A webhook dialect: how one event looks to one kind of receiver. Rendering happens at send
 * time, from the stored event, so it always uses the subscription's current settings.
 *
 * The contract:
 * - pure and deterministic: the same event and subscription give the same requests, byte for
 *   byte (every retry of request n signs and sends the same body; request n+1 is rendered again
 *   when its turn comes and must still be request n+1);
 * - zero or more requests, sent in array order, each only after the one before it succeeded;
 *   an event with none completes at once;
 * - throwing means the event cannot be rendered: the attempt fails with the message.
 */
export interface WebhookRenderer {
  readonly format: string;
  render(event: PbxEvent, subscription: RenderTarget): OutboundRequest[];
  /**
   * Whether the format sends anything for this event at all (whatever the subscription): an
   * event it never sends gets no delivery row, so the delivery log shows only what a receiver
   * can get. Left out: every event may be sent.
   */
  sends?(event: PbxEvent): boolean;
}

/** The renderers the dispatcher knows, by format (a Nest provider, so tests can add their own). */
export type WebhookRenderers = ReadonlyMap<string, WebhookRenderer>;
export const WEBHOOK_RENDERERS = Symbol('WEBHOOK_RENDERERS');
