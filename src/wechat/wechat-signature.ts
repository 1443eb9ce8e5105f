import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks WeChat's signed profile: signature = hex(sha1(rawData + session_key)). Compared in
 * constant time so the signature cannot be guessed byte by byte from response timings.
 */
export function verifyRawDataSignature(
  rawData: string,
  signature: string,
  sessionKey: string,
): boolean {
  const expected = createHash('sha1')
    .update(rawData + sessionKey, 'utf8')
    .digest();
  const given = Buffer.from(signature.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
