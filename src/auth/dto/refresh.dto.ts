import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshDto {
  /** A string that is not a token this service issued is REFRESH_TOKEN_INVALID, not a validation error. */
  @ApiProperty({
    minLength: 1,
    maxLength: 512,
    description: 'The refresh token of the last login or refresh',
    example: 'b0c1f4d6e0a94f1b9d1e6b3a4c2f8e70.vQ2l0aGJ5dGVzLW9mLXJhbmRvbS1kYXRh',
  })
  @IsString()
  @Length(1, 512)
  refreshToken: string;
}
