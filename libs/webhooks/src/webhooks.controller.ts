import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiErrors, IdParam } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { DeliveryIdPipe } from './delivery-id.pipe';
import { DeliveryPageDto, DeliveryViewDto } from './dto/delivery.view';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto';
import { WebhookCreatedDto, WebhookViewDto } from './dto/webhook.view';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import { WebhooksService } from './webhooks.service';

const URL_REFUSED =
  'Invalid request, including a `url` on a private or local address (`validation_failed`, `details` names the field)';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrors(401, 403, 429, 500, 503)
@RequireScopes('admin')
@Controller('api/pbx/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** `data.secret` is shown in this response only. */
  @Post()
  @ApiOperation({ operationId: 'createWebhook', summary: 'Create a webhook subscription' })
  @ApiData(WebhookCreatedDto, {
    status: 201,
    description: 'The subscription, with its signing secret in `secret` (shown this once)',
  })
  @ApiErrors(400, 413, 415, [422, URL_REFUSED])
  async create(@Body() dto: CreateWebhookDto) {
    const { webhook, secret } = await this.webhooks.create(dto);
    const created: WebhookCreatedDto = { ...webhook, secret };
    return { data: created };
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhooks', summary: 'List webhook subscriptions' })
  @ApiData(WebhookViewDto, { isArray: true, description: 'Every subscription, by id' })
  async list() {
    return { data: await this.webhooks.list() };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWebhook', summary: 'Get a webhook subscription' })
  @ApiData(WebhookViewDto, { description: 'The subscription' })
  @ApiErrors(404)
  async get(@IdParam('webhook') id: number) {
    return { data: await this.webhooks.get(id) };
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateWebhook',
    summary: 'Update a webhook subscription',
    description: '`active: true` resumes deliveries, also after a 410 Gone turned it off.',
  })
  @ApiData(WebhookViewDto, { description: 'The subscription as updated' })
  @ApiErrors(400, 404, 413, 415, [422, URL_REFUSED])
  async update(@IdParam('webhook') id: number, @Body() dto: UpdateWebhookDto) {
    return { data: await this.webhooks.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook subscription',
    description: 'Its deliveries are deleted with it.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async remove(@IdParam('webhook') id: number): Promise<void> {
    await this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'List a subscription’s deliveries',
    description: 'Newest first, each with its attempts; page with `before_id`.',
  })
  @ApiOkResponse({ type: DeliveryPageDto, description: 'A page of deliveries and the `before_id` of the next one' })
  @ApiErrors(404, 422)
  async deliveries(@IdParam('webhook') id: number, @Query() query: ListDeliveriesQuery) {
    const { deliveries, nextBeforeId } = await this.webhooks.listDeliveries(id, query);
    return { data: deliveries, next_before_id: nextBeforeId };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'redeliverWebhookDelivery',
    summary: 'Redeliver a failed or skipped delivery',
    description: 'Due at once with a fresh retry window, still after any earlier pending event of its call.',
  })
  @ApiData(DeliveryViewDto, { status: 202, description: 'The delivery, pending again' })
  @ApiErrors(
    [404, 'Unknown subscription or delivery (`not_found`)'],
    [409, 'The delivery is pending or succeeded (`in_use`, `details.status`)'],
  )
  async redeliver(
    @IdParam('webhook') id: number,
    @IdParam('delivery', 'deliveryId', DeliveryIdPipe) deliveryId: number,
  ) {
    return { data: await this.webhooks.redeliver(id, deliveryId) };
  }
}
