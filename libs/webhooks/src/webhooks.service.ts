import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, LessThan, Repository } from 'typeorm';
import { DomainError, ErrorCode } from '@pbx/common';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { literalTargetProblem } from './target-policy';
import { WEBHOOK_OPTIONS, WebhookOptions } from './webhook-options';
import { DELIVERIES_CHANNEL } from './webhook-outbox';
import { generateSecret, secretPrefix } from './webhook-signing';
import { WebhookSubscription } from './webhook-subscription.entity';
import { attemptView, DeliveryView, deliveryView, WebhookView, webhookView } from './webhook.views';

const DEFAULT_PAGE = 50;

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('webhooks');

  constructor(
    @InjectRepository(WebhookSubscription) private readonly subscriptions: Repository<WebhookSubscription>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(WebhookAttempt) private readonly attempts: Repository<WebhookAttempt>,
    private readonly dataSource: DataSource,
    @Inject(WEBHOOK_OPTIONS) private readonly options: WebhookOptions,
  ) {}

  /** The secret is returned here and never again. */
  async create(dto: CreateWebhookDto): Promise<{ webhook: WebhookView; secret: string }> {
    this.checkTarget(dto.url);
    const secret = generateSecret();
    const saved = await this.subscriptions.save(
      this.subscriptions.create({
        url: dto.url,
        events: [...new Set(dto.events)],
        active: dto.active ?? true,
        format: dto.format ?? 'zorio',
        secret,
        secretPrefix: secretPrefix(secret),
        disabledReason: null,
      }),
    );
    this.logger.log(
      `webhook ${saved.id} created: ${new URL(saved.url).origin}, events ${saved.events.join(', ')}, format ${saved.format}`,
    );
    return { webhook: await this.get(saved.id), secret };
  }

  async list(): Promise<WebhookView[]> {
    return (await this.subscriptions.find({ order: { id: 'ASC' } })).map(webhookView);
  }

  async get(id: number): Promise<WebhookView> {
    return webhookView(await this.find(id));
  }

  async update(id: number, dto: UpdateWebhookDto): Promise<WebhookView> {
    await this.find(id);
    if (dto.url !== undefined) this.checkTarget(dto.url);
    const changes: Partial<WebhookSubscription> = {};
    if (dto.url !== undefined) changes.url = dto.url;
    if (dto.events !== undefined) changes.events = [...new Set(dto.events)];
    if (dto.format !== undefined) changes.format = dto.format;
    // an admin's choice replaces the PBX's own reason for turning it off
    if (dto.active !== undefined) Object.assign(changes, { active: dto.active, disabledReason: null });
    if (Object.keys(changes).length > 0) {
      await this.subscriptions.update({ id }, changes);
      this.logger.log(`webhook ${id} updated (${Object.keys(changes).join(', ')})`);
      // resuming may make queued deliveries due at once
      if (dto.active === true) await this.notify();
    }
    return this.get(id);
  }

  async remove(id: number): Promise<void> {
    const result = await this.subscriptions.delete({ id });
    if (!result.affected) throw DomainError.notFound('webhook', id);
    this.logger.log(`webhook ${id} deleted with its deliveries`);
  }

  /** Newest first, keyset-paged by id, each with its attempts in order. */
  async listDeliveries(
    id: number,
    query: ListDeliveriesQuery,
  ): Promise<{ deliveries: DeliveryView[]; nextBeforeId: number | null }> {
    await this.find(id);
    const limit = query.limit ?? DEFAULT_PAGE;
    const page = await this.deliveries.find({
      where: { subscriptionId: id, ...(query.before_id !== undefined ? { id: LessThan(query.before_id) } : {}) },
      order: { id: 'DESC' },
      take: limit,
    });
    const attempts = page.length
      ? await this.attempts.find({
          where: { deliveryId: In(page.map((d) => d.id)) },
          order: { deliveryId: 'ASC', attempt: 'ASC', id: 'ASC' },
        })
      : [];
    const byDelivery = new Map<number, WebhookAttempt[]>();
    for (const attempt of attempts)
      byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt]);
    return {
      deliveries: page.map((d) => deliveryView(d, (byDelivery.get(d.id) ?? []).map(attemptView))),
      nextBeforeId: page.length === limit ? page[page.length - 1].id : null,
    };
  }

  /**
   * Puts a failed or skipped delivery back in line, due now, with a fresh retry window. It still
   * waits behind any earlier pending event of its call, and for the subscription to be active.
   */
  async redeliver(id: number, deliveryId: number): Promise<DeliveryView> {
    await this.find(id);
    const reset = await this.dataSource.transaction(async (manager) => {
      const [rows]: [unknown[], number] = await manager.query(
        `UPDATE webhook_deliveries
            SET status = 'pending', next_attempt_at = now(), first_attempt_at = NULL, completed_at = NULL
          WHERE id = $1 AND subscription_id = $2 AND status IN ('failed', 'skipped')
          RETURNING id`,
        [deliveryId, id],
      );
      if (rows.length > 0) await manager.query(`SELECT pg_notify('${DELIVERIES_CHANNEL}', '')`);
      return rows.length > 0;
    });
    const delivery = await this.deliveries.findOne({ where: { id: deliveryId, subscriptionId: id } });
    if (!delivery) throw DomainError.notFound('delivery', deliveryId);
    if (!reset) {
      throw new DomainError(
        ErrorCode.InUse,
        `delivery ${deliveryId} is ${delivery.status}: only failed or skipped deliveries can be redelivered`,
        {
          status: delivery.status,
        },
      );
    }
    this.logger.log(`webhook ${id}: delivery ${deliveryId} (event ${delivery.eventId}) queued again by an admin`);
    const attempts = await this.attempts.find({ where: { deliveryId }, order: { attempt: 'ASC', id: 'ASC' } });
    return deliveryView(delivery, attempts.map(attemptView));
  }

  /**
   * The creation half of the SSRF rule, before anything is written: a literal forbidden address
   * or localhost is refused (422 naming `url`). It lives here, not in the DTO, because it depends
   * on WEBHOOK_ALLOW_PRIVATE_NETWORKS; host names are judged by the sender at each attempt.
   */
  private checkTarget(url: string): void {
    if (this.options.allowPrivateNetworks) return;
    const problem = literalTargetProblem(url);
    if (problem !== null) throw DomainError.invalid('url', problem);
  }

  private async notify(): Promise<void> {
    await this.dataSource.query(`SELECT pg_notify('${DELIVERIES_CHANNEL}', '')`);
  }

  private async find(id: number): Promise<WebhookSubscription> {
    const subscription = await this.subscriptions.findOne({ where: { id } });
    if (!subscription) throw DomainError.notFound('webhook', id);
    return subscription;
  }
}
