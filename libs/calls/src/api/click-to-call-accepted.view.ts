import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { RoutingMode } from '../persistence/call.entity';
import type { ClickToCallAccepted } from './click-to-call.service';

export const ROUTING_MODES: readonly RoutingMode[] = ['direct_gateway', 'dialplan_default'];

/** The OpenAPI schema of the 202 of click-to-call: ids chosen before Asterisk is asked anything. */
@ApiSchema({ name: 'ClickToCallAccepted' })
export class ClickToCallAcceptedDto implements ClickToCallAccepted {
  @ApiProperty({
    format: 'uuid',
    description: 'the call; GET /api/pbx/calls/{call_uuid} and every webhook event name it',
  })
  call_uuid: string;

  @ApiProperty({ format: 'uuid', description: 'the agent’s leg (its Asterisk channel id)' })
  a_leg_uuid: string;

  @ApiProperty({ format: 'uuid', description: 'the customer’s first leg; a failover to another trunk uses a new one' })
  b_leg_uuid: string;

  @ApiProperty({ example: '1001' })
  from_extension: string;

  @ApiProperty({ example: '0987654321' })
  to_phone: string;

  @ApiProperty({
    example: '1001',
    description: 'the request’s, else the extension’s outbound_caller_id, else its number',
  })
  caller_id: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 4,
    description: 'null when the route decides (dialplan_default)',
  })
  trunk_id: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'POC' })
  trunk_name: string | null;

  @ApiProperty({
    enum: ROUTING_MODES,
    description: 'direct_gateway: the request named the trunk; dialplan_default: an outbound route',
  })
  routing_mode: RoutingMode;

  @ApiProperty({ enum: ['queued'] })
  status: 'queued';
}
