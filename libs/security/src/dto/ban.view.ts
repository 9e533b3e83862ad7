import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { BanView } from '../bans.store';

/** The OpenAPI schema of BanView. */
@ApiSchema({ name: 'SipBan' })
export class BanViewDto implements BanView {
  @ApiProperty({ example: '203.0.113.9', description: 'the banned source address (IPv4 or IPv6)' })
  address: string;

  @ApiProperty({ type: 'integer', example: 10, description: 'failed authentications that led to the ban' })
  failures: number;

  @ApiProperty()
  banned_at: Date;

  @ApiProperty({ description: 'Asterisk refuses the address until then' })
  expires_at: Date;
}
