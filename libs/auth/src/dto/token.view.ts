import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Scope, SCOPES } from '../scope';

/** A token as listed: never its plaintext, which only POST returns (TokenCreatedDto). */
@ApiSchema({ name: 'Token' })
export class TokenViewDto {
  @ApiProperty({ type: 'integer', example: 3 })
  id: number;

  @ApiProperty({ example: 'crm-prod' })
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['calls'] })
  scopes: Scope[];

  @ApiProperty({ example: 'pbx_3q2-', description: 'the first characters of the token, to recognise it' })
  prefix: string;

  @ApiProperty()
  created_at: Date;

  @ApiProperty({ type: Date, nullable: true })
  last_used_at: Date | null;

  @ApiProperty({
    type: String,
    isArray: true,
    nullable: true,
    example: ['1001'],
    description: 'null = every extension',
  })
  extensions: string[] | null;

  @ApiProperty({ type: 'integer', isArray: true, nullable: true, example: [4], description: 'null = every trunk' })
  trunk_ids: number[] | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 10, description: 'null = unlimited' })
  max_concurrent_calls: number | null;
}

@ApiSchema({ name: 'TokenCreated' })
export class TokenCreatedDto extends TokenViewDto {
  @ApiProperty({
    description: 'the token itself: shown in this answer only, stored as a SHA-256 hash',
    example: 'pbx_3q2-7wEfZc0aHkRk7uQyqJxWf2l3mXo0hD9c8nB5vYs',
  })
  token: string;
}
