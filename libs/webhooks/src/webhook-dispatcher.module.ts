import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDeliveryStore } from './webhook-delivery.store';
import { WebhookDispatcher } from './webhook-dispatcher';
import { webhookOptionsProvider } from './webhook-options';
import { WebhookOutboxModule } from './webhook-outbox.module';
import { WebhookSubscription } from './webhook-subscription.entity';

/** The worker side: sends the outbox. Needs APP_CONFIG and the DataSource from the root module. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscription, WebhookDelivery, WebhookAttempt]), WebhookOutboxModule],
  providers: [webhookOptionsProvider, WebhookDeliveryStore, WebhookDispatcher],
  exports: [WebhookDispatcher, WebhookOutboxModule],
})
export class WebhookDispatcherModule {}
