const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The `sid` (session id) claim of one of the service's access tokens, or null when the token is
 * not a JWT with a string `sid`. The token is NOT verified: the client reads it only to tell which
 * of the account's sessions is its own; the service verifies every token it receives.
 */
export function sessionIdOf(accessToken: string): string | null {
  const payload = accessToken.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(decodeBase64Url(payload)) as unknown;
    if (typeof claims !== 'object' || claims === null) return null;
    const { sid } = claims as Record<string, unknown>;
    return typeof sid === 'string' && sid !== '' ? sid : null;
  } catch {
    return null;
  }
}

/**
 * Bytes as one character each: the mini-program runtime has neither `atob` nor `Buffer` on every
 * base library. Non-ASCII UTF-8 comes out as Latin-1 characters, which still parse as JSON and
 * cannot touch the ASCII `sid` this is read for.
 */
function decodeBase64Url(text: string): string {
  let value = 0;
  let bits = 0;
  let bytes = '';
  for (const char of text) {
    const digit = BASE64URL.indexOf(char);
    if (digit < 0) throw new Error('not base64url');
    value = ((value << 6) | digit) & 0xffff; // at most 14 pending bits matter
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return bytes;
}
