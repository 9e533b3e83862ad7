import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { EXTENSION_STATUSES, ExtensionStatus } from '../extension.entity';
import type { ExtensionView } from '../extensions.service';

/** The OpenAPI schema of ExtensionView (`implements` keeps the two from drifting apart). */
@ApiSchema({ name: 'Extension' })
export class ExtensionViewDto implements ExtensionView {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;

  @ApiProperty({ example: '1001' })
  number: string;

  @ApiProperty({ example: 'Alice' })
  display_name: string;

  @ApiProperty({ type: String, nullable: true, example: '02873001234' })
  outbound_caller_id: string | null;

  @ApiProperty({ enum: EXTENSION_STATUSES })
  status: ExtensionStatus;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'a phone is registered, read live from Asterisk; null when Asterisk cannot be asked',
  })
  registered: boolean | null;

  @ApiProperty()
  created_at: Date;

  @ApiProperty()
  updated_at: Date;
}
