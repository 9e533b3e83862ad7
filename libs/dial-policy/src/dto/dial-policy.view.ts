import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { DialPolicyView } from '../dial-policy.service';

/** The OpenAPI schema of DialPolicyView. */
@ApiSchema({ name: 'DialPolicy' })
export class DialPolicyViewDto implements DialPolicyView {
  @ApiProperty({ type: String, isArray: true, example: ['84'] })
  allowed_prefixes: string[];

  @ApiProperty({ type: String, isArray: true, example: ['1900'] })
  denied_prefixes: string[];

  @ApiProperty()
  updated_at: Date;
}
