import { createHash, generateKeyPairSync, KeyObject, sign } from 'node:crypto';

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8, as JWT_PRIVATE_KEY takes it. */
  privatePem: string;
  /** SPKI, as JWT_PREVIOUS_PUBLIC_KEYS takes it. */
  publicPem: string;
  /** The RFC 7638 thumbprint, computed here independently of the service. */
  kid: string;
}

/** A fresh key pair as `openssl genpkey` would make it: P-256 for ES256, Ed25519 for EdDSA. */
export function newKeyPair(algorithm: 'ES256' | 'EdDSA'): TestKeyPair {
  const { privateKey, publicKey } =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const canonical =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`;
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    kid: createHash('sha256').update(canonical).digest('base64url'),
  };
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS with any header, signed with ES256 or EdDSA: what an attacker can make. */
export function signToken(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const input = `${segment(header)}.${segment(claims)}`;
  const digest = privateKey.asymmetricKeyType === 'ec' ? 'sha256' : null;
  const signature = sign(digest, Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}
