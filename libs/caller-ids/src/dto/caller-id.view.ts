import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { CallerIdView } from '../caller-ids.service';

/** The OpenAPI schema of CallerIdView. */
@ApiSchema({ name: 'CallerId' })
export class CallerIdViewDto implements CallerIdView {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ example: '02873001234' })
  number: string;

  @ApiProperty({ example: 'Hotline' })
  label: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 4, description: 'the trunk that owns the number, if any' })
  trunk_id: number | null;

  @ApiProperty()
  created_at: Date;
}
