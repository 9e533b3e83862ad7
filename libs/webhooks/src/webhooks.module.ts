import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { webhookOptionsProvider } from './webhook-options';
import { WebhookOutboxModule } from './webhook-outbox.module';
import { WebhookSubscription } from './webhook-subscription.entity';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The API side: subscriptions, the delivery log, redelivery, and the outbox. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscription, WebhookDelivery, WebhookAttempt]), WebhookOutboxModule],
  controllers: [WebhooksController],
  // the options carry allowPrivateNetworks, which decides what a subscription may target
  providers: [webhookOptionsProvider, WebhooksService],
  exports: [WebhooksService, WebhookOutboxModule],
})
export class WebhooksModule {}
