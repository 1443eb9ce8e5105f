import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

/** RFC 7662 §2.1, as a form body or JSON. */
export class IntrospectDto {
  /** A string that is not a live token of this service is `active: false`, not a validation error. */
  @ApiProperty({
    minLength: 1,
    maxLength: 4096,
    description: 'The access token to check',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  })
  @IsString()
  @Length(1, 4096)
  token: string;

  // Snake case as RFC 7662 names it.
  @ApiPropertyOptional({
    maxLength: 64,
    description: 'RFC 7662 hint; accepted and ignored (only access tokens are introspected)',
  })
  @IsOptional()
  @IsString()
  @Length(0, 64)
  token_type_hint?: string;
}

/** RFC 7662 §2.2: the claims while the token is live, else only `active: false`. */
export class IntrospectionResult {
  @ApiProperty()
  active: boolean;

  @ApiPropertyOptional({ description: 'The account id, as a string' })
  sub?: string;

  @ApiPropertyOptional({ description: 'The session id' })
  sid?: string;

  @ApiPropertyOptional({ description: 'Expiry, seconds since the epoch' })
  exp?: number;

  @ApiPropertyOptional({ description: 'Issue time, seconds since the epoch' })
  iat?: number;

  @ApiPropertyOptional({ enum: ['Bearer'] })
  token_type?: 'Bearer';

  @ApiPropertyOptional({ description: 'The WeChat app of the session' })
  app_id?: string;
}
