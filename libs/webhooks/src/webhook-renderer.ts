import { CallEvent } from '@pbx/call-events';

/**
 * A webhook dialect: how one call event looks to one kind of receiver. Every format renders
 * the same stored events, so adding a CRM dialect is adding a renderer here.
 */
export const WEBHOOK_FORMATS = ['zorio'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookRenderer {
  readonly format: WebhookFormat;
  /** The exact request body; the signature covers these bytes. */
  render(event: CallEvent): string;
}

/** The native body: the stored event as it is. */
export const zorioRenderer: WebhookRenderer = {
  format: 'zorio',
  render: (event) => JSON.stringify(event),
};

const RENDERERS: Record<WebhookFormat, WebhookRenderer> = { zorio: zorioRenderer };

export function rendererFor(format: string): WebhookRenderer {
  const renderer = RENDERERS[format as WebhookFormat];
  if (!renderer) throw new Error(`no webhook renderer for format "${format}"`);
  return renderer;
}
