import { RECORD_POLICIES, RECORD_RULE, RecordPolicy } from '@pbx/recordings';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { EXTENSION_STATES, ExtensionState } from '@pbx/call-events';
import { EXTENSION_OUTBOUND, EXTENSION_STATUSES, ExtensionOutbound, ExtensionStatus } from '../extension.entity';
import type { ExtensionView, SavedExtensionView } from '../extensions.service';

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

  @ApiProperty({ enum: EXTENSION_OUTBOUND, description: 'may the phone call numbers outside the PBX' })
  outbound: ExtensionOutbound;

  @ApiProperty({ description: 'may click-to-call ask the phone to answer by itself (`auto_answer`)' })
  auto_answer_allowed: boolean;

  @ApiProperty({ enum: RECORD_POLICIES, description: RECORD_RULE })
  record: RecordPolicy;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'a phone is registered, read live from Asterisk; null when Asterisk cannot be asked',
  })
  registered: boolean | null;

  @ApiProperty({
    enum: EXTENSION_STATES,
    description:
      'live state from Asterisk: `idle` (registered, no call), `ringing`, `in_call` (also on hold, or ringing while in a call), `unavailable` (no phone registered, or disabled); each change is a `pbx.extension.state_changed` event',
  })
  state: ExtensionState;

  @ApiProperty({ type: Date, nullable: true, description: 'when `state` last changed; null before its first change' })
  state_changed_at: Date | null;

  @ApiProperty()
  created_at: Date;

  @ApiProperty()
  updated_at: Date;
}

/** The answer to a create or update: the extension, and the password when the PBX generated it. */
@ApiSchema({ name: 'ExtensionSaved' })
export class ExtensionSavedDto extends ExtensionViewDto implements SavedExtensionView {
  @ApiPropertyOptional({
    example: 'q3Vb0kZx7LpW2sYdN8rT1mHc',
    description:
      'only when the PBX generated the password (none was sent on create, or `number` changed without one): shown in this answer only, stored as the digest hash',
  })
  password?: string;
}
