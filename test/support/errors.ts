import { ApiException } from '../../src/common/errors/api.exception';

/**
 * Asserts the contract's error answer (docs/api.md, "Errors"): the status, and a body of exactly
 * statusCode, code, a message (matching `message` when given) and the request id. The body is
 * compared first: on a failure it shows what was answered instead.
 */
export function expectError(
  result: { status: number; body: unknown },
  status: number,
  code: string,
  message?: RegExp,
): void {
  expect(result.body).toEqual({
    statusCode: status,
    code,
    message: message ? expect.stringMatching(message) : expect.any(String),
    requestId: expect.any(String),
  });
  expect(result.status).toBe(status);
}

/** The ApiException a promise rejects with; fails the test if it resolves or rejects otherwise. */
export async function apiExceptionOf(promise: Promise<unknown>): Promise<ApiException> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  return error as ApiException;
}
