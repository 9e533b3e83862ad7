import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions, ApiSchema } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Nullable, Optional, SafeText } from '@pbx/common';
import { TRUNK_STATUSES, TRUNK_TRANSPORTS, TrunkStatus, TrunkTransport } from '../trunk.entity';
import { INBOUND_ADDRESS_RULE, IsInboundAddress, MAX_INBOUND_ADDRESSES } from '../inbound-addresses';

/** A DNS name or an IPv4 address: it ends up in a SIP URI, so nothing else is allowed. */
export const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USERNAME = /^[A-Za-z0-9_.+~!$&'()*,;=-]{1,64}$/;
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;

const NameRule = () => SafeText(100);
const HostRule = () =>
  applyDecorators(IsString(), Matches(HOST, { message: 'host must be a hostname or an IPv4 address' }));
const PortRule = () => applyDecorators(IsInt(), Min(1), Max(65535));
const UsernameRule = () =>
  applyDecorators(IsString(), Matches(USERNAME, { message: 'username must be 1-64 SIP user characters' }));
const InboundAddressesRule = () =>
  applyDecorators(IsArray(), ArrayMaxSize(MAX_INBOUND_ADDRESSES), IsInboundAddress({ each: true }));
const inboundAddressesDoc = (defaultText: string): ApiPropertyOptions => ({
  type: [String],
  maxItems: MAX_INBOUND_ADDRESSES,
  example: ['203.0.113.10', '198.51.100.0/28'],
  description:
    `where the carrier's calls come from: ${INBOUND_ADDRESS_RULE}. A SIP request from one of them is ` +
    `taken for this trunk without authentication, whatever its From header says; [] accepts no ` +
    `calls from this carrier. ${defaultText}`,
});
const PasswordRule = () =>
  applyDecorators(
    IsString(),
    MinLength(1),
    MaxLength(128),
    Matches(NO_CONTROL, { message: 'password must not contain control characters' }),
  );

@ApiSchema({ name: 'CreateTrunkRequest' })
export class CreateTrunkDto {
  @ApiProperty({ example: 'POC', maxLength: 100 })
  @NameRule()
  name: string;

  @ApiProperty({ example: 'sip.carrier.example' })
  @HostRule()
  host: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 65535, default: 5060 })
  @Optional()
  @PortRule()
  port?: number;

  @ApiPropertyOptional({ enum: TRUNK_TRANSPORTS, default: 'udp' })
  @Optional()
  @IsIn(TRUNK_TRANSPORTS)
  transport?: TrunkTransport;

  @ApiPropertyOptional({ type: String, description: 'outbound digest auth user', nullable: true })
  @Nullable()
  @UsernameRule()
  username?: string | null;

  @ApiPropertyOptional({
    type: String,
    description: 'outbound digest auth password (write-only)',
    writeOnly: true,
    nullable: true,
  })
  @Nullable()
  @PasswordRule()
  password?: string | null;

  @ApiPropertyOptional(
    inboundAddressesDoc('Default: the address(es) host resolves to now (422 naming host when it does not resolve).'),
  )
  @Optional()
  @InboundAddressesRule()
  inbound_addresses?: string[];

  @ApiPropertyOptional({ enum: TRUNK_STATUSES, default: 'active' })
  @Optional()
  @IsIn(TRUNK_STATUSES)
  status?: TrunkStatus;
}

@ApiSchema({ name: 'UpdateTrunkRequest' })
export class UpdateTrunkDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @Optional()
  @NameRule()
  name?: string;

  @ApiPropertyOptional()
  @Optional()
  @HostRule()
  host?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 65535 })
  @Optional()
  @PortRule()
  port?: number;

  @ApiPropertyOptional({ enum: TRUNK_TRANSPORTS })
  @Optional()
  @IsIn(TRUNK_TRANSPORTS)
  transport?: TrunkTransport;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null removes outbound auth' })
  @Nullable()
  @UsernameRule()
  username?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, writeOnly: true })
  @Nullable()
  @PasswordRule()
  password?: string | null;

  @ApiPropertyOptional(
    inboundAddressesDoc(
      'Left out while host changes: the address(es) the new host resolves to (422 naming host when it does not resolve).',
    ),
  )
  @Optional()
  @InboundAddressesRule()
  inbound_addresses?: string[];

  @ApiPropertyOptional({ enum: TRUNK_STATUSES })
  @Optional()
  @IsIn(TRUNK_STATUSES)
  status?: TrunkStatus;
}
