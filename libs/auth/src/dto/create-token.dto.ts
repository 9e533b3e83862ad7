import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn } from 'class-validator';
import { SafeText } from '@pbx/common';
import { Scope, SCOPES } from '../scope';

export class CreateTokenDto {
  @ApiProperty({ example: 'crm-prod', maxLength: 100 })
  @SafeText(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['calls'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];
}
