import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { RouteView } from '../routes.service';

/** The OpenAPI schema of RouteView. */
@ApiSchema({ name: 'Route' })
export class RouteViewDto implements RouteView {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ example: 'Vietnam mobiles' })
  name: string;

  @ApiProperty({ example: '09', description: "digit prefix; X = any digit; '' = every number" })
  pattern: string;

  @ApiProperty({ type: 'integer', isArray: true, example: [4, 7], description: 'tried in this order' })
  trunk_ids: number[];

  @ApiProperty({ type: 'integer', example: 0, description: 'leading digits removed before dialing' })
  strip: number;

  @ApiProperty({ example: '', description: 'digits added in front after stripping' })
  prepend: string;

  @ApiProperty()
  created_at: Date;

  @ApiProperty()
  updated_at: Date;
}
