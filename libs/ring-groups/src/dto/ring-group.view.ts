import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { RING_STRATEGIES, RingStrategy } from '../ring-group.entity';
import type { RingGroupView } from '../ring-groups.service';

/** The OpenAPI schema of RingGroupView. */
@ApiSchema({ name: 'RingGroup' })
export class RingGroupViewDto implements RingGroupView {
  @ApiProperty({ type: 'integer', example: 3 })
  id: number;

  @ApiProperty({ example: 'Sales' })
  name: string;

  @ApiProperty({ enum: RING_STRATEGIES })
  strategy: RingStrategy;

  @ApiProperty({ type: String, isArray: true, example: ['2001', '2002'], description: 'in ringing order' })
  members: string[];

  @ApiProperty({ type: 'integer', example: 15, description: 'seconds each member rings (`sequential`)' })
  member_timeout: number;

  @ApiProperty({ type: 'integer', example: 30, description: 'seconds the whole group rings' })
  ring_timeout: number;

  @ApiProperty()
  created_at: Date;

  @ApiProperty()
  updated_at: Date;
}
