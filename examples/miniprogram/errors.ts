import type { ErrorBody } from './api-types';

/** The service answered with an error status; `code` is the contract's stable code to branch on. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** A body without the contract's shape (a gateway's HTML page, say) becomes UNEXPECTED_RESPONSE. */
  static fromResponse(statusCode: number, body: unknown): ApiError {
    if (isErrorBody(body)) return new ApiError(statusCode, body.code, body.message, body.requestId);
    return new ApiError(statusCode, 'UNEXPECTED_RESPONSE', `unexpected HTTP ${statusCode} answer`);
  }
}

/** A `wx.*` call itself failed (no network, timeout, WeChat refused `wx.login`…). */
export class WxCallError extends Error {
  override readonly name = 'WxCallError';

  constructor(
    readonly api: 'wx.login' | 'wx.request',
    readonly errMsg: string,
  ) {
    super(`${api} failed: ${errMsg}`);
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const { code, message } = body as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string';
}
