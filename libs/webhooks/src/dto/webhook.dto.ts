import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString, MaxLength, ValidateBy } from 'class-validator';
import { Optional } from '@pbx/common';
import { PBX_EVENT_TYPES, PbxEventType } from '@pbx/call-events';
import { WEBHOOK_FORMATS, WebhookFormat } from '../webhook-renderer';

/**
 * Why a webhook URL is refused by its syntax, or null when it is fine. Where it may point (the
 * SSRF rule, target-policy.ts) depends on WEBHOOK_ALLOW_PRIVATE_NETWORKS and is checked by
 * WebhooksService before anything is written, and again by the sender at each attempt.
 */
export function webhookUrlProblem(value: string): string | null {
  // no CR/LF or spaces: the URL reaches an HTTP request line
  if (/[\x00-\x20\x7f]/.test(value)) return 'url must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must use http or https';
  if (url.username !== '' || url.password !== '') return 'url must not contain credentials (user:password@)';
  if (url.hostname === '') return 'url must name a host';
  return null;
}

const IsWebhookUrl = () =>
  ValidateBy({
    name: 'isWebhookUrl',
    // a non-string is reported by IsString alone
    validator: {
      validate: (value) => typeof value !== 'string' || webhookUrlProblem(value) === null,
      defaultMessage: (args) => webhookUrlProblem(String(args?.value)) ?? 'url is invalid',
    },
  });

const UrlRule = () => applyDecorators(IsString(), MaxLength(2000), IsWebhookUrl());
const EventsRule = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(20),
    IsIn(PBX_EVENT_TYPES, {
      each: true,
      message: `each value in events must be one of ${PBX_EVENT_TYPES.join(', ')}`,
    }),
  );

@ApiSchema({ name: 'CreateWebhookRequest' })
export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://crm.example.com/hooks/pbx',
    maxLength: 2000,
    description:
      'http(s); a loopback, private, link-local or other non-public address is refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true',
  })
  @UrlRule()
  url: string;

  @ApiProperty({ enum: PBX_EVENT_TYPES, isArray: true, example: ['pbx.call.answered', 'pbx.call.hangup'] })
  @EventsRule()
  events: PbxEventType[];

  @ApiPropertyOptional({ default: true })
  @Optional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS, default: 'zorio', description: 'the body dialect' })
  @Optional()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;
}

@ApiSchema({ name: 'UpdateWebhookRequest' })
export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'same rule as on creation' })
  @Optional()
  @UrlRule()
  url?: string;

  @ApiPropertyOptional({ enum: PBX_EVENT_TYPES, isArray: true })
  @Optional()
  @EventsRule()
  events?: PbxEventType[];

  @ApiPropertyOptional({ description: 'false pauses deliveries; true resumes them (also after a 410)' })
  @Optional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS })
  @Optional()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;
}
