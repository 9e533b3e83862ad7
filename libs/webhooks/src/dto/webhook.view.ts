import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PBX_EVENT_TYPES, PbxEventType } from '@pbx/call-events';
import { WEBHOOK_FORMATS, WebhookFormat } from '../webhook-renderer';
import type { WebhookView } from '../webhook.views';

/** The OpenAPI schema of WebhookView: never the secret, only its prefix. */
@ApiSchema({ name: 'Webhook' })
export class WebhookViewDto implements WebhookView {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ example: 'https://crm.example.com/hooks/pbx' })
  url: string;

  @ApiProperty({ enum: PBX_EVENT_TYPES, isArray: true, example: ['pbx.call.answered', 'pbx.call.hangup'] })
  events: PbxEventType[];

  @ApiProperty({ description: 'false: deliveries wait (paused by an admin, or stopped by a 410 Gone)' })
  active: boolean;

  @ApiProperty({ enum: WEBHOOK_FORMATS })
  format: WebhookFormat;

  @ApiProperty({ example: 'whsec_Ab12', description: 'the first characters of the signing secret, to recognise it' })
  secret_prefix: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'why the PBX turned the subscription off (the receiver answered 410 Gone)',
  })
  disabled_reason: string | null;

  @ApiProperty()
  created_at: Date;

  @ApiProperty()
  updated_at: Date;
}

@ApiSchema({ name: 'WebhookCreated' })
export class WebhookCreatedDto extends WebhookViewDto {
  @ApiProperty({
    example: 'whsec_Ab12…',
    description: 'the Standard Webhooks signing secret: shown in this answer only',
  })
  secret: string;
}
