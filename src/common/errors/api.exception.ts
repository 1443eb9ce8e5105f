import { HttpException } from '@nestjs/common';
import { ERROR_STATUS, ErrorCode } from './error-code';

/** An error the client may see: a contract code, its status, and a safe message. */
export class ApiException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message, ERROR_STATUS[code]);
  }
}
