import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PBX_EVENT_TYPES, PbxEventType } from '@pbx/call-events';
import { DELIVERY_STATUSES, DeliveryStatus } from '../webhook-delivery.entity';
import type { AttemptView, DeliveryView } from '../webhook.views';

/** The OpenAPI schema of AttemptView: one HTTP request to the receiver. */
@ApiSchema({ name: 'WebhookAttempt' })
export class AttemptViewDto implements AttemptView {
  @ApiProperty({ type: 'integer', example: 1 })
  attempt: number;

  @ApiProperty()
  started_at: Date;

  @ApiProperty({ type: 'integer', example: 12 })
  duration_ms: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 200, description: 'null when no answer came' })
  response_status: number | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  error: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'an excerpt of the receiver’s answer' })
  response_body: string | null;
}

/** The OpenAPI schema of DeliveryView: one event for one subscription, with its attempts. */
@ApiSchema({ name: 'WebhookDelivery' })
export class DeliveryViewDto implements DeliveryView {
  @ApiProperty({ type: 'integer', example: 42 })
  id: number;

  @ApiProperty({ type: 'integer', example: 1 })
  subscription_id: number;

  @ApiProperty({ format: 'uuid', description: 'the event this delivery carries' })
  event_id: string;

  @ApiProperty({
    type: 'integer',
    example: 0,
    description: 'which of the requests the subscription’s format renders for the event (0 for single-request formats)',
  })
  request_index: number;

  @ApiProperty({
    example: '7f0c2b7e-2d8f-4b6a-9a3c-1e2d3f4a5b6c',
    description: 'sent as `webhook-id` on every attempt: the event id for request 0, `<event id>.<n>` after',
  })
  webhook_id: string;

  @ApiProperty({ enum: PBX_EVENT_TYPES })
  event_type: PbxEventType;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for an extension’s event' })
  call_uuid: string | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 1,
    description: 'the event’s place in its call; null for an extension’s event',
  })
  sequence: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'the extension an extension event (`pbx.extension.state_changed`) is about; null for a call’s event',
  })
  extension: string | null;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ type: 'integer', example: 1 })
  attempt_count: number;

  @ApiProperty({ type: Date, nullable: true, description: 'when the next attempt is due (pending deliveries only)' })
  next_attempt_at: Date | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 200 })
  last_status: number | null;

  @ApiProperty({ type: String, nullable: true })
  last_error: string | null;

  @ApiProperty()
  created_at: Date;

  @ApiProperty({ type: Date, nullable: true })
  completed_at: Date | null;

  @ApiProperty({ type: AttemptViewDto, isArray: true })
  attempts: AttemptViewDto[];
}

@ApiSchema({ name: 'WebhookDeliveryPage' })
export class DeliveryPageDto {
  @ApiProperty({ type: DeliveryViewDto, isArray: true, description: 'newest first' })
  data: DeliveryViewDto[];

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 41,
    description: 'pass as `before_id` for the next page; null on the last page',
  })
  next_before_id: number | null;
}
