import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { PgListenLink } from '@pbx/database';
import { withLogFields } from '@pbx/logging';
import { APP_CONFIG, AppConfig } from '@pbx/config';
import { prepareDelivery } from './delivery-request';
import { webhookId } from './outbound-request';
import { AttemptResult, judge, Verdict } from './retry-policy';
import { ClaimedDelivery, WebhookDeliveryStore } from './webhook-delivery.store';
import { WEBHOOK_METRICS, WebhookMetrics } from './webhook-metrics';
import { WEBHOOK_OPTIONS, WebhookOptions } from './webhook-options';
import { DELIVERIES_CHANNEL } from './webhook-outbox';
import { WEBHOOK_RENDERERS, WebhookRenderers } from './webhook-renderer';
import { sendWebhook } from './webhook-sender';
import { signedHeaders } from './webhook-signing';

const LEASE_MARGIN_MS = 30_000;

/**
 * Sends the outbox, in the worker. It wakes on NOTIFY (sent at commit by the outbox) and polls
 * as a safety net and for retries coming due; several workers may run it on one database.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('webhooks');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly leaseMs: number;
  private stopped = false;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private pollTimer?: NodeJS.Timeout;
  private listener?: PgListenLink;
  private databaseDown = false;

  constructor(
    private readonly store: WebhookDeliveryStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_OPTIONS) private readonly options: WebhookOptions,
    @Inject(WEBHOOK_RENDERERS) private readonly renderers: WebhookRenderers,
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
  ) {
    this.leaseMs = options.timeoutMs + LEASE_MARGIN_MS;
  }

  onModuleInit(): void {
    this.pollTimer = setInterval(() => this.kick(), this.options.pollIntervalMs);
    // NOTIFY at commit wakes the dispatcher; after every (re)connection one catch-up poll takes
    // whatever was enqueued while nobody listened (the poll timer is the safety net meanwhile)
    this.listener = new PgListenLink(this.config.databaseUrl, DELIVERIES_CHANNEL, 'webhook LISTEN');
    this.listener.on('notification', () => this.kick());
    this.listener.on('connected', () => this.kick());
    this.listener.start();
    this.kick();
  }

  /** Lets requests in flight finish and be recorded (bounded by the request timeout). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.listener?.stop();
    clearInterval(this.pollTimer);
    await this.pumping;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Fills free slots with due deliveries. Runs on NOTIFY, on each poll and when a send ends. */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.pumpAgain) this.kick();
    });
  }

  private async pump(): Promise<void> {
    do {
      this.pumpAgain = false;
      while (!this.stopped && this.inFlight.size < this.options.concurrency) {
        const wanted = this.options.concurrency - this.inFlight.size;
        let batch: ClaimedDelivery[];
        try {
          batch = await this.store.claim(wanted, this.leaseMs);
        } catch (error) {
          // the next poll tries again; say so once, not every second
          if (!this.databaseDown) this.logger.warn(`cannot claim webhook deliveries: ${(error as Error).message}`);
          this.databaseDown = true;
          return;
        }
        if (this.databaseDown) this.logger.log('claiming webhook deliveries again');
        this.databaseDown = false;
        for (const delivery of batch) this.start(delivery);
        if (batch.length < wanted) break;
      }
    } while (this.pumpAgain && !this.stopped);
  }

  private start(delivery: ClaimedDelivery): void {
    // every line about this delivery carries its call, event and subscription
    const fields = {
      ...(delivery.callUuid ? { call_uuid: delivery.callUuid } : { extension: delivery.extension ?? undefined }),
      event_id: delivery.eventId,
      subscription_id: delivery.subscriptionId,
    };
    const task: Promise<void> = withLogFields(fields, () => this.deliver(delivery))
      .catch((error) => {
        // the lease runs out and the delivery is tried again (same webhook-id)
        this.logger.error(
          `webhook ${delivery.subscriptionId} request ${webhookId(delivery.eventId, delivery.requestIndex)}: attempt ${delivery.attempt} not recorded: ${(error as Error).message}`,
        );
      })
      .finally(() => {
        this.inFlight.delete(task);
        this.kick();
      });
    this.inFlight.add(task);
  }

  /** Renders the stored event at send time, sends this row's request, records the outcome. */
  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const prepared = prepareDelivery(delivery, this.renderers);
    if (prepared.kind === 'nothing') {
      await this.store.completeUnsent(delivery);
      this.logger.log(
        `${this.describe(delivery)}: nothing to send (format ${delivery.format} renders ${prepared.requestCount} request(s))`,
      );
      return;
    }
    const startedAt = new Date();
    let result: AttemptResult;
    if (prepared.kind === 'unrenderable') result = { kind: 'error', error: prepared.error };
    else {
      const { request } = prepared;
      const { timeoutMs, allowPrivateNetworks } = this.options;
      // the signature covers the exact body bytes; a request without a body signs the empty string
      result = await sendWebhook(
        request,
        signedHeaders(delivery.secret, prepared.webhookId, request.body ?? '', startedAt),
        { timeoutMs, allowPrivateNetworks },
      );
    }
    const durationMs = Date.now() - startedAt.getTime();
    const elapsedMs = delivery.claimedAt.getTime() - delivery.firstAttemptAt.getTime() + durationMs;
    const verdict = judge(result, { number: delivery.attempt, elapsedMs }, this.options);
    await this.store.record(
      delivery,
      { startedAt, durationMs, result },
      verdict,
      prepared.kind === 'send' ? prepared.requestCount : undefined,
    );
    this.report(delivery, result, verdict);
    this.metrics?.attempt({
      subscriptionId: delivery.subscriptionId,
      eventType: delivery.eventType,
      outcome: verdict.kind,
      durationMs,
    });
  }

  private describe(delivery: ClaimedDelivery): string {
    const request = delivery.requestIndex === 0 ? '' : ` request ${delivery.requestIndex}`;
    const of =
      delivery.callUuid === null
        ? `extension ${delivery.extension}`
        : `call ${delivery.callUuid} #${delivery.sequence}`;
    return `webhook ${delivery.subscriptionId}: event ${delivery.eventId}${request} ${delivery.eventType} (${of})`;
  }

  /** Never the URL (it may carry a token) nor the secret. */
  private report(delivery: ClaimedDelivery, result: AttemptResult, verdict: Verdict): void {
    const what = this.describe(delivery);
    const outcome = result.kind === 'response' ? `HTTP ${result.status}` : result.error;
    switch (verdict.kind) {
      case 'succeeded':
        this.logger.log(`${what} delivered: ${outcome}, attempt ${delivery.attempt}`);
        break;
      case 'retry':
        this.logger.warn(
          `${what} not delivered: ${outcome}, attempt ${delivery.attempt}, next attempt at ${new Date(Date.now() + verdict.delayMs).toISOString()}`,
        );
        break;
      case 'failed':
        this.logger.warn(
          `${what} failed: ${outcome}, attempt ${delivery.attempt}, no next attempt (${verdict.reason})${verdict.gone ? '; subscription deactivated' : ''}`,
        );
        break;
    }
  }
}
