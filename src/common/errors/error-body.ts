import { ErrorCode } from './error-code';

/** The one error shape every route answers with. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  requestId: string;
}
