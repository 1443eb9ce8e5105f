import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class BindPhoneDto {
  /** The one-time code of the getPhoneNumber button. */
  @ApiProperty({
    description: 'e.detail.code of <button open-type="getPhoneNumber">; valid 5 minutes, once',
    pattern: '^[\\x21-\\x7e]{1,128}$',
  })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,128}$/, {
    message: 'code must be 1-128 printable ASCII characters without spaces',
  })
  code: string;
}
