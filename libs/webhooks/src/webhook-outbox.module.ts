import { Global, Module } from '@nestjs/common';
import { CALL_EVENT_SINK } from '@pbx/call-events';
import { WebhookOutbox } from './webhook-outbox';

/**
 * Global so the call funnel finds its event sink (CALL_EVENT_SINK) in whichever app loads
 * webhooks, API or worker, without importing this library.
 */
@Global()
@Module({
  providers: [WebhookOutbox, { provide: CALL_EVENT_SINK, useExisting: WebhookOutbox }],
  exports: [WebhookOutbox, CALL_EVENT_SINK],
})
export class WebhookOutboxModule {}
