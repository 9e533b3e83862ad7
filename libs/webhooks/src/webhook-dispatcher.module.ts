import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDeliveryStore } from './webhook-delivery.store';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookRetention } from './webhook-retention';
import { webhookOptionsProvider } from './webhook-options';
import { WebhookOutboxModule } from './webhook-outbox.module';
import { DEFAULT_RENDERERS } from './renderers';
import { WEBHOOK_RENDERERS } from './webhook-renderer';
import { WebhookSubscription } from './webhook-subscription.entity';

/** The worker side: sends the outbox. Needs APP_CONFIG and the DataSource from the root module. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscription, WebhookDelivery, WebhookAttempt]), WebhookOutboxModule],
  providers: [
    webhookOptionsProvider,
    { provide: WEBHOOK_RENDERERS, useValue: DEFAULT_RENDERERS },
    WebhookDeliveryStore,
    WebhookDispatcher,
    WebhookRetention,
  ],
  exports: [WebhookDispatcher, WebhookOutboxModule, WebhookRetention],
})
export class WebhookDispatcherModule {}
