import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 random bytes. */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Enough to recognise a secret in the admin UI without revealing it. */
export const secretPrefix = (secret: string): string => secret.slice(0, 10);

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks headers for one attempt. The id is the event id, the same on every retry,
 * so receivers can drop duplicates; the timestamp is the attempt's own.
 */
export function signedHeaders(secret: string, eventId: string, body: string, at: Date = new Date()): SignedHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, at, body),
  };
}
