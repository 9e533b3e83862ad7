import { RECORD_POLICIES, RECORD_RULE, RecordPolicy } from '@pbx/recordings';
import { ApiExtraModels, ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { InboundRouteView } from '../inbound-routes.service';
import { ExtensionDestinationDto, InboundDestination, RingGroupDestinationDto } from './inbound-destination.dto';
import { DESTINATION_SCHEMA } from './inbound-route.dto';

/** The OpenAPI schema of InboundRouteView. */
@ApiSchema({ name: 'InboundRoute' })
@ApiExtraModels(ExtensionDestinationDto, RingGroupDestinationDto)
export class InboundRouteViewDto implements InboundRouteView {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ example: '+842873001234', description: "as written; '' = any number" })
  did: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 4, description: 'null = any trunk' })
  trunk_id: number | null;

  @ApiProperty(DESTINATION_SCHEMA)
  destination: InboundDestination;

  @ApiProperty({ type: 'integer', example: 30 })
  ring_timeout: number;

  @ApiProperty({ enum: RECORD_POLICIES, description: RECORD_RULE })
  record: RecordPolicy;

  @ApiProperty()
  created_at: Date;

  @ApiProperty()
  updated_at: Date;
}
