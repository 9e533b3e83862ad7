import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '@pbx/common';
import { RequireScopes } from '@pbx/auth';
import { DeliveryIdPipe } from './delivery-id.pipe';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('api/pbx/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** `data.secret` is shown in this response only. */
  @Post()
  async create(@Body() dto: CreateWebhookDto) {
    const { webhook, secret } = await this.webhooks.create(dto);
    return { data: { ...webhook, secret } };
  }

  @Get()
  async list() {
    return { data: await this.webhooks.list() };
  }

  @Get(':id')
  async get(@Param('id', new IdPipe('webhook')) id: number) {
    return { data: await this.webhooks.get(id) };
  }

  @Patch(':id')
  async update(@Param('id', new IdPipe('webhook')) id: number, @Body() dto: UpdateWebhookDto) {
    return { data: await this.webhooks.update(id, dto) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new IdPipe('webhook')) id: number): Promise<void> {
    await this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  async deliveries(@Param('id', new IdPipe('webhook')) id: number, @Query() query: ListDeliveriesQuery) {
    const { deliveries, nextBeforeId } = await this.webhooks.listDeliveries(id, query);
    return { data: deliveries, next_before_id: nextBeforeId };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  async redeliver(@Param('id', new IdPipe('webhook')) id: number, @Param('deliveryId', DeliveryIdPipe) deliveryId: number) {
    return { data: await this.webhooks.redeliver(id, deliveryId) };
  }
}
