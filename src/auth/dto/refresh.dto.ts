import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshDto {
  /** A string that is not a token this service issued is REFRESH_TOKEN_INVALID, not a validation error. */
  @ApiProperty({
    minLength: 1,
    maxLength: 512,
    description: 'The refresh token of the last login or refresh',
  })
  @IsString()
  @Length(1, 512)
  refreshToken: string;
}
