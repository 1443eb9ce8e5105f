import { ApiProperty } from '@nestjs/swagger';
import { ERROR_CODES } from '../errors/error-code';

/** The one error shape, as documented in OpenAPI. */
export class ErrorBodySchema {
  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ enum: ERROR_CODES, example: 'WECHAT_CODE_INVALID' })
  code: string;

  @ApiProperty({ example: 'WeChat rejected the code (errcode 40029)' })
  message: string;

  @ApiProperty({ example: 'b59ea0cd-2c00-49e0-a7e0-f524fcdc8db5' })
  requestId: string;
}
