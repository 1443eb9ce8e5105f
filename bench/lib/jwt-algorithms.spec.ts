import { createPrivateKey } from 'node:crypto';
import { parseAlgorithms, signingSettings, tokenAlgorithm } from './jwt-algorithms';

describe('BENCH_ALGORITHMS', () => {
  it('lists JWT_ALGORITHM values in the order given, each once, blanks ignored', () => {
    expect(parseAlgorithms('HS256,ES256,EdDSA')).toEqual(['HS256', 'ES256', 'EdDSA']);
    expect(parseAlgorithms(' EdDSA , HS256,,EdDSA')).toEqual(['EdDSA', 'HS256']);
    expect(parseAlgorithms('HS256')).toEqual(['HS256']);
  });

  it('refuses an unknown name, naming it, and an empty list', () => {
    expect(() => parseAlgorithms('HS256,RS256,es256')).toThrow(
      'BENCH_ALGORITHMS must list some of HS256, ES256, EdDSA, not RS256, es256',
    );
    expect(() => parseAlgorithms(' , ')).toThrow(/^BENCH_ALGORITHMS must list some of/);
  });
});

describe('signingSettings', () => {
  it('gives HS256 a random secret long enough for production', () => {
    const settings = signingSettings('HS256');
    expect(settings.JWT_ALGORITHM).toBe('HS256');
    expect(settings.JWT_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(signingSettings('HS256').JWT_SECRET).not.toBe(settings.JWT_SECRET);
  });

  it.each([
    ['ES256', 'ec', 'prime256v1'],
    ['EdDSA', 'ed25519', undefined],
  ] as const)('gives %s a fresh PKCS#8 PEM key of its kind', (algorithm, type, curve) => {
    const settings = signingSettings(algorithm);
    expect(settings.JWT_ALGORITHM).toBe(algorithm);
    expect(settings.JWT_PRIVATE_KEY).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(settings.JWT_PRIVATE_KEY);
    expect(key.asymmetricKeyType).toBe(type);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe(curve);
  });
});

describe('tokenAlgorithm', () => {
  const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it("reads the alg of a compact JWS's header", () => {
    expect(tokenAlgorithm(`${segment({ alg: 'ES256', typ: 'JWT' })}.${segment({})}.sig`)).toBe(
      'ES256',
    );
  });

  it('is undefined for what is not a JWS header', () => {
    expect(tokenAlgorithm('not-a-token')).toBeUndefined();
    expect(tokenAlgorithm(`${segment(null)}.e30.sig`)).toBeUndefined();
    expect(tokenAlgorithm(`${segment({ typ: 'JWT' })}.e30.sig`)).toBeUndefined();
  });
});
