import { createHmac } from 'node:crypto';
import { JsonValue, encodeJson } from './json';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * A JWT with any header and payload, signed with HMAC (`HS256`/`HS384`/`HS512` by
 * `hmac`), or unsigned (`hmac: null`, as `alg: none` tokens are). The payload goes
 * through encodeJson, so it may carry raw JSON such as lone surrogate escapes.
 */
export function craftJwt(
  header: Record<string, JsonValue>,
  payload: JsonValue,
  secret: string,
  hmac: 'sha256' | 'sha384' | 'sha512' | null = 'sha256',
): string {
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(encodeJson(payload))}`;
  if (hmac === null) return `${unsigned}.`;
  return `${unsigned}.${createHmac(hmac, secret).update(unsigned).digest('base64url')}`;
}

/** The claims of a token this service issued. */
export function claimsOf(token: string): Record<string, JsonValue> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    JsonValue
  >;
}
