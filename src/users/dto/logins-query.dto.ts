import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

export const DEFAULT_LOGINS_LIMIT = 20;

export class LoginsQueryDto {
  /**
   * Kept as the query string's text and checked by pattern: numeric conversion first would
   * let `1.5`, `1e1` or a repeated parameter (an array) slip through as numbers.
   */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_LOGINS_LIMIT })
  @IsOptional()
  @IsString({ message: 'limit must be given once' })
  @Matches(/^(?:[1-9][0-9]?|100)$/, { message: 'limit must be a whole number from 1 to 100' })
  limit?: string;
}
