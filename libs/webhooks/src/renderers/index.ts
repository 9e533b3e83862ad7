import { PbxEvent } from '@pbx/call-events';
import { WebhookRenderer, WebhookRenderers } from '../webhook-renderer';
import { zorioRenderer } from './zorio.renderer';

export { zorioRenderer, zorioBody } from './zorio.renderer';
export { jsonbOrderedJson } from './jsonb-order';

/** Every format the product ships; a new dialect is one more renderer here. */
export const DEFAULT_RENDERERS: WebhookRenderers = new Map<string, WebhookRenderer>([
  [zorioRenderer.format, zorioRenderer],
]);

/** The shipped formats that never send this event (the outbox writes no delivery for them). */
export function silentFormats(event: PbxEvent, renderers: WebhookRenderers = DEFAULT_RENDERERS): string[] {
  return [...renderers.values()].filter((r) => r.sends && !r.sends(event)).map((r) => r.format);
}

export function rendererFor(format: string, renderers: WebhookRenderers = DEFAULT_RENDERERS): WebhookRenderer {
  const renderer = renderers.get(format);
  if (!renderer) throw new Error(`no webhook renderer for format "${format}"`);
  return renderer;
}
