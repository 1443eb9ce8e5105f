import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadAppConfig } from './app-config';

const pem = {
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ed25519: generateKeyPairSync('ed25519'),
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
const privatePem = (kind: keyof typeof pem) =>
  pem[kind].privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = (kind: keyof typeof pem) =>
  pem[kind].publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** The one-line problems of a start with these settings. */
function problems(env: Record<string, string>): readonly string[] {
  try {
    loadAppConfig({ NODE_ENV: 'test', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('JWT key settings', () => {
  it('accept a P-256 key for ES256 and an Ed25519 key for EdDSA, with \\n escapes too', () => {
    const es = loadAppConfig({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: privatePem('p256') });
    expect(es.jwt.signingKey?.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(es.jwt.secret).toBeUndefined();
    const oneLine = privatePem('ed25519').replace(/\n/g, '\\n');
    const ed = loadAppConfig({ JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: oneLine });
    expect(ed.jwt.signingKey?.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
  });

  it.each([
    ['an unknown algorithm', { JWT_ALGORITHM: 'RS256' }, /^JWT_ALGORITHM must be/],
    ['a missing key', { JWT_ALGORITHM: 'ES256' }, /^JWT_PRIVATE_KEY is required/],
    [
      'a key of the wrong curve',
      { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: privatePem('p384') },
      /^JWT_PRIVATE_KEY must be a P-256 EC key for JWT_ALGORITHM=ES256, not ec secp384r1$/,
    ],
    [
      'a key of the wrong type',
      { JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: privatePem('p256') },
      /^JWT_PRIVATE_KEY must be an Ed25519 key/,
    ],
    [
      'an RSA key',
      { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: privatePem('rsa') },
      /^JWT_PRIVATE_KEY must be a P-256 EC key/,
    ],
    [
      'a public key where the private one is needed',
      { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: publicPem('p256') },
      /^JWT_PRIVATE_KEY holds a public key/,
    ],
    [
      'a malformed PEM',
      {
        JWT_ALGORITHM: 'EdDSA',
        JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      },
      /^JWT_PRIVATE_KEY is not a PEM private key/,
    ],
    [
      'a key under HS256',
      { JWT_PRIVATE_KEY: privatePem('p256') },
      /^JWT_PRIVATE_KEY is set but JWT_ALGORITHM is HS256/,
    ],
    [
      'a previous key of another type',
      {
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: privatePem('p256'),
        JWT_PREVIOUS_PUBLIC_KEYS: `${publicPem('p256')}${publicPem('ed25519')}`,
      },
      /^JWT_PREVIOUS_PUBLIC_KEYS \(key 2\) must be a P-256 EC key/,
    ],
    [
      'a private key among the previous public keys',
      {
        JWT_ALGORITHM: 'EdDSA',
        JWT_PRIVATE_KEY: privatePem('ed25519'),
        JWT_PREVIOUS_PUBLIC_KEYS: privatePem('ed25519'),
      },
      /^JWT_PREVIOUS_PUBLIC_KEYS \(key 1\) is a PRIVATE KEY block/,
    ],
    [
      'text that is no PEM',
      {
        JWT_ALGORITHM: 'EdDSA',
        JWT_PRIVATE_KEY: privatePem('ed25519'),
        JWT_PREVIOUS_PUBLIC_KEYS: 'abc',
      },
      /^JWT_PREVIOUS_PUBLIC_KEYS must be PEM public keys/,
    ],
    [
      'a short introspection token',
      { INTROSPECTION_TOKEN: 'x'.repeat(31) },
      /^INTROSPECTION_TOKEN must be at least 32/,
    ],
    ['an issuer with spaces around', { JWT_ISSUER: ' https://a ' }, /^JWT_ISSUER must be/],
  ])('stop the start on %s with one line naming the setting', (_case, env, line) => {
    const found = problems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(line);
    // Never the key material itself (PEM bodies start with MI).
    expect(found[0]).not.toMatch(/AAAA|MI[A-Za-z0-9+/]{8}/);
  });

  it('list both keys after a rotation, the signing key first', () => {
    const config = loadAppConfig({
      JWT_ALGORITHM: 'ES256',
      JWT_PRIVATE_KEY: privatePem('p256'),
      JWT_PREVIOUS_PUBLIC_KEYS: `${publicPem('p256')}\n${generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()}`,
    });
    const kids = config.jwt.verificationKeys.map((key) => key.kid);
    expect(kids).toHaveLength(3);
    // The same key given as current and previous has the same thumbprint.
    expect(kids[0]).toBe(kids[1]);
    expect(kids[2]).not.toBe(kids[0]);
  });
});
