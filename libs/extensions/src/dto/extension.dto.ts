import { RECORD_POLICIES, RECORD_RULE, RecordPolicy } from '@pbx/recordings';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { IsBoolean, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Nullable, Optional, SafeText } from '@pbx/common';
import { EXTENSION_OUTBOUND, EXTENSION_STATUSES, ExtensionOutbound, ExtensionStatus } from '../extension.entity';
import { SIP_PASSWORD_MAX, SIP_PASSWORD_MIN, SIP_PASSWORD_SHORT } from '../sip-password';

export const EXTENSION_NUMBER = /^[0-9]{3,10}$/;
export const PHONE_NUMBER = /^(?=.{3,32}$)\+?[0-9]+$/;
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;

const NumberRule = () =>
  applyDecorators(IsString(), Matches(EXTENSION_NUMBER, { message: 'number must be 3 to 10 digits' }));
const PasswordRule = () =>
  applyDecorators(
    IsString(),
    MinLength(SIP_PASSWORD_MIN, { message: SIP_PASSWORD_SHORT }),
    MaxLength(SIP_PASSWORD_MAX),
    Matches(NO_CONTROL, { message: 'password must not contain control characters' }),
  );
const PASSWORD_RULE = 'The SIP digest password: at least 12 characters, not containing the extension number.';
const OUTBOUND_RULE = 'May the phone call numbers outside the PBX (through a trunk, under the dial policy).';
const AUTO_ANSWER_RULE =
  'May click-to-call ask this phone to answer by itself (`auto_answer`): it turns the phone into a room microphone.';
const CallerIdRule = () =>
  applyDecorators(
    IsString(),
    Matches(PHONE_NUMBER, { message: 'outbound_caller_id must be 3 to 32 digits, optionally starting with +' }),
  );

@ApiSchema({ name: 'CreateExtensionRequest' })
export class CreateExtensionDto {
  @ApiProperty({ example: '1001', pattern: EXTENSION_NUMBER.source })
  @NumberRule()
  number: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: 64 })
  @Optional()
  @SafeText(64, 0)
  display_name?: string;

  @ApiPropertyOptional({
    example: 'correct-horse-staple-7',
    minLength: SIP_PASSWORD_MIN,
    maxLength: SIP_PASSWORD_MAX,
    writeOnly: true,
    description: `${PASSWORD_RULE} Left out, one is generated and returned once, as \`password\` in this answer.`,
  })
  @Optional()
  @PasswordRule()
  password?: string;

  @ApiPropertyOptional({ type: String, example: '02873001234', nullable: true, pattern: PHONE_NUMBER.source })
  @Nullable()
  @CallerIdRule()
  outbound_caller_id?: string | null;

  @ApiPropertyOptional({ enum: EXTENSION_STATUSES, default: 'active' })
  @Optional()
  @IsIn(EXTENSION_STATUSES)
  status?: ExtensionStatus;

  @ApiPropertyOptional({ enum: EXTENSION_OUTBOUND, default: 'denied', description: OUTBOUND_RULE })
  @Optional()
  @IsIn(EXTENSION_OUTBOUND)
  outbound?: ExtensionOutbound;

  @ApiPropertyOptional({ default: false, description: AUTO_ANSWER_RULE })
  @Optional()
  @IsBoolean()
  auto_answer_allowed?: boolean;

  @ApiPropertyOptional({ enum: RECORD_POLICIES, default: 'never', description: RECORD_RULE })
  @Optional()
  @IsIn(RECORD_POLICIES)
  record?: RecordPolicy;
}

@ApiSchema({ name: 'UpdateExtensionRequest' })
export class UpdateExtensionDto {
  @ApiPropertyOptional({ example: '1001', pattern: EXTENSION_NUMBER.source })
  @Optional()
  @NumberRule()
  number?: string;

  @ApiPropertyOptional({ example: 'Alice', maxLength: 64 })
  @Optional()
  @SafeText(64, 0)
  display_name?: string;

  @ApiPropertyOptional({
    minLength: SIP_PASSWORD_MIN,
    maxLength: SIP_PASSWORD_MAX,
    writeOnly: true,
    description: `${PASSWORD_RULE} Left out, it is kept, unless \`number\` changes (the digest covers the number): then one is generated and returned once, as \`password\` in this answer.`,
  })
  @Optional()
  @PasswordRule()
  password?: string;

  @ApiPropertyOptional({ type: String, nullable: true, pattern: PHONE_NUMBER.source, description: 'null clears it' })
  @Nullable()
  @CallerIdRule()
  outbound_caller_id?: string | null;

  @ApiPropertyOptional({ enum: EXTENSION_STATUSES })
  @Optional()
  @IsIn(EXTENSION_STATUSES)
  status?: ExtensionStatus;

  @ApiPropertyOptional({ enum: EXTENSION_OUTBOUND, description: OUTBOUND_RULE })
  @Optional()
  @IsIn(EXTENSION_OUTBOUND)
  outbound?: ExtensionOutbound;

  @ApiPropertyOptional({ description: AUTO_ANSWER_RULE })
  @Optional()
  @IsBoolean()
  auto_answer_allowed?: boolean;

  @ApiPropertyOptional({ enum: RECORD_POLICIES, description: RECORD_RULE })
  @Optional()
  @IsIn(RECORD_POLICIES)
  record?: RecordPolicy;
}
