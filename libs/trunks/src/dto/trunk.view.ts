import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { TRUNK_STATUSES, TRUNK_TRANSPORTS, TrunkStatus, TrunkTransport } from '../trunk.entity';
import type { TrunkView } from '../trunks.service';

/** The OpenAPI schema of TrunkView: the password is never returned, `has_password` says if one is set. */
@ApiSchema({ name: 'Trunk' })
export class TrunkViewDto implements TrunkView {
  @ApiProperty({ type: 'integer', example: 4 })
  id: number;

  @ApiProperty({ example: 'POC' })
  name: string;

  @ApiProperty({ example: 'sip.carrier.example' })
  host: string;

  @ApiProperty({ type: 'integer', example: 5060 })
  port: number;

  @ApiProperty({ enum: TRUNK_TRANSPORTS })
  transport: TrunkTransport;

  @ApiProperty({ type: String, nullable: true, description: 'outbound digest auth user' })
  username: string | null;

  @ApiProperty()
  has_password: boolean;

  @ApiProperty({
    type: [String],
    example: ['203.0.113.10/32'],
    description: "where the carrier's calls come from (CIDR blocks); matched by source address, without port",
  })
  inbound_addresses: string[];

  @ApiProperty({ enum: TRUNK_STATUSES })
  status: TrunkStatus;

  @ApiProperty()
  created_at: Date;

  @ApiProperty()
  updated_at: Date;
}
