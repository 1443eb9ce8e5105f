import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { ConfigError } from './config-error';

export type JwtAlgorithm = 'HS256' | 'ES256' | 'EdDSA';
export type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'ES256', 'EdDSA'];

/** A public key as the JWKS publishes it (RFC 7517/7518/8037). */
export interface PublicJwk {
  kty: 'EC' | 'OKP';
  crv: 'P-256' | 'Ed25519';
  x: string;
  y?: string;
  kid: string;
  alg: AsymmetricAlgorithm;
  use: 'sig';
}

/** A verification key: parsed once at start, since a verify runs on every bearer request. */
export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

/** What each algorithm needs of a key, in Node's and in operators' words. */
const KEY_KINDS: Record<AsymmetricAlgorithm, { type: string; curve?: string; words: string }> = {
  ES256: { type: 'ec', curve: 'prime256v1', words: 'a P-256 EC key' },
  EdDSA: { type: 'ed25519', words: 'an Ed25519 key' },
};

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** `.env` files and container settings often carry a PEM on one line with `\n` escapes. */
function unescapePem(raw: string): string {
  return raw.replace(/\\n/g, '\n').trim();
}

function describeKind(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve ? `${key.asymmetricKeyType} ${curve}` : String(key.asymmetricKeyType);
}

function assertKind(name: string, key: KeyObject, algorithm: AsymmetricAlgorithm): void {
  const kind = KEY_KINDS[algorithm];
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== kind.type || (kind.curve && curve !== kind.curve)) {
    throw new ConfigError(
      `${name} must be ${kind.words} for JWT_ALGORITHM=${algorithm}, not ${describeKind(key)}`,
    );
  }
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function verificationKey(publicKey: KeyObject, algorithm: AsymmetricAlgorithm): VerificationKey {
  const exported = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicKey);
  const jwk: PublicJwk = {
    kty: exported.kty as PublicJwk['kty'],
    crv: exported.crv as PublicJwk['crv'],
    x: exported.x!,
    ...(exported.y ? { y: exported.y } : {}),
    kid,
    alg: algorithm,
    use: 'sig',
  };
  return { kid, publicKey, jwk };
}

/** JWT_PRIVATE_KEY: a PKCS#8 PEM private key of the algorithm's type and curve. */
export function parsePrivateKey(
  name: string,
  raw: string,
  algorithm: AsymmetricAlgorithm,
): SigningKey {
  const pem = unescapePem(raw);
  if (/-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw new ConfigError(
      `${name} holds a public key; it needs the private key (PKCS#8 PEM, openssl genpkey)`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // Not echoed: the value is a secret even when it is malformed.
    throw new ConfigError(`${name} is not a PEM private key (-----BEGIN PRIVATE KEY----- …)`);
  }
  assertKind(name, privateKey, algorithm);
  return { ...verificationKey(createPublicKey(privateKey), algorithm), privateKey };
}

/** JWT_PREVIOUS_PUBLIC_KEYS: PEM public keys, one block each, nothing else. */
export function parsePublicKeys(
  name: string,
  raw: string,
  algorithm: AsymmetricAlgorithm,
): VerificationKey[] {
  const text = unescapePem(raw);
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0 || text.replace(PEM_BLOCK, '').trim() !== '') {
    throw new ConfigError(`${name} must be PEM public keys (-----BEGIN PUBLIC KEY----- blocks)`);
  }
  return blocks.map(([block, label], index) => {
    const which = `${name} (key ${index + 1})`;
    if (label !== 'PUBLIC KEY') {
      throw new ConfigError(
        `${which} is a ${label} block; give the public key (openssl pkey -pubout)`,
      );
    }
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: block, format: 'pem' });
    } catch {
      throw new ConfigError(`${which} is not a valid PEM public key`);
    }
    assertKind(which, publicKey, algorithm);
    return verificationKey(publicKey, algorithm);
  });
}
