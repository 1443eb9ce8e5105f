import { KeyObject, sign, verify } from 'node:crypto';
import type { AsymmetricAlgorithm } from '../config/jwt-keys';

/**
 * Compact JWS for ES256 and EdDSA over node:crypto. jsonwebtoken (under @nestjs/jwt and
 * passport-jwt) has no EdDSA, so both asymmetric algorithms share this one small path;
 * HS256 stays on jsonwebtoken.
 */

/** Headers that point at keys the token chooses itself; this service never follows them. */
const KEY_SOURCE_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256'];
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Both algorithms make 64-byte signatures (ES256 as r‖s, RFC 7518 §3.4). */
const SIGNATURE_BYTES = 64;

export class JwsError extends Error {
  override readonly name = 'JwsError';
}

const digestOf = (algorithm: AsymmetricAlgorithm) => (algorithm === 'ES256' ? 'sha256' : null);

export function signJws(
  payload: object,
  algorithm: AsymmetricAlgorithm,
  kid: string,
  privateKey: KeyObject,
): string {
  const header = Buffer.from(JSON.stringify({ alg: algorithm, typ: 'JWT', kid })).toString(
    'base64url',
  );
  const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign(digestOf(algorithm), Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

function decodeJson(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwsError('not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JwsError('not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Verifies the signature of a compact JWS and returns its payload (claims are the caller's
 * concern). Refused: another `alg` than the configured one (`none` and HS256 included), a
 * missing or unknown `kid`, key-source headers, any `crit`.
 */
export function verifyJws(
  token: string,
  algorithm: AsymmetricAlgorithm,
  keys: ReadonlyMap<string, KeyObject>,
): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) {
    throw new JwsError('not a compact JWS');
  }
  const [headerSegment, payloadSegment, signatureSegment] = parts;
  const header = decodeJson(headerSegment);
  if (header.alg !== algorithm) throw new JwsError('unexpected algorithm');
  if ('crit' in header || KEY_SOURCE_HEADERS.some((name) => name in header)) {
    throw new JwsError('unsupported header');
  }
  const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
  if (!key) throw new JwsError('unknown key');
  const signature = Buffer.from(signatureSegment, 'base64url');
  if (signature.length !== SIGNATURE_BYTES) throw new JwsError('bad signature');
  const input = Buffer.from(`${headerSegment}.${payloadSegment}`);
  const valid = verify(digestOf(algorithm), input, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!valid) throw new JwsError('bad signature');
  return decodeJson(payloadSegment);
}
