import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';

/** Printable text with no control characters (no CR/LF header injection) and no SIP quoting characters. */
export const SAFE_TEXT = /^[^\x00-\x1f\x7f"<>\\]*$/;

export function SafeText(max: number, min = 1): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MinLength(min),
    MaxLength(max),
    Matches(SAFE_TEXT, { message: '$property must not contain control characters, quotes, < > or \\' }),
  );
}

/** Field may be left out, but not sent as null (class-validator's IsOptional lets null through). */
export const Optional = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);
/** Field may be left out or sent as null (to clear it). */
export const Nullable = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined && value !== null);
