import { verify } from 'node:crypto';
import { call } from './support/http';
import { startService } from './support/service';
import { decodeSegment, newKeyPair } from './support/signing-keys';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

const JWT_SECRET = 'jwt-algorithms-e2e-secret-0123456789abcdef';
const stack = useTestStack({ JWT_SECRET });

/** Restarts the service on the same database and emulator with other JWT settings. */
async function restart(env: Record<string, string>): Promise<void> {
  await stack.service.close();
  stack.service = await startService({ ...stack.env, ...env });
}

async function login(): Promise<string> {
  const { code } = await mintLoginCode(stack.emulator.url);
  const result = await call(`${stack.service.url}/auth/wechat/login`, { body: { code } });
  expect(result.status).toBe(200);
  return result.body.accessToken as string;
}
const me = (token: string) => call(`${stack.service.url}/users/me`, { token });
const jwks = async () =>
  (await call(`${stack.service.url}/.well-known/jwks.json`)).body as {
    keys: Array<Record<string, string>>;
  };

/** Checks a token's signature against a JWKS entry with node:crypto alone. */
function verifiesWith(token: string, jwk: Record<string, string>): boolean {
  const [header, payload, signature] = token.split('.');
  const { kid: _kid, alg, use: _use, ...keyJwk } = jwk;
  return verify(
    alg === 'ES256' ? 'sha256' : null,
    Buffer.from(`${header}.${payload}`),
    { key: keyJwk, format: 'jwk', dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
}

describe('JWT_ALGORITHM=HS256 (the default)', () => {
  it('signs HS256 without kid and publishes an empty JWKS', async () => {
    const token = await login();
    expect(decodeSegment(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect((await me(token)).status).toBe(200);
    const result = await call(`${stack.service.url}/.well-known/jwks.json`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ keys: [] });
  });
});

describe.each(['ES256', 'EdDSA'] as const)('JWT_ALGORITHM=%s', (algorithm) => {
  const first = newKeyPair(algorithm);
  const second = newKeyPair(algorithm);
  const jwk =
    algorithm === 'ES256'
      ? { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' }
      : { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' };

  it('signs with kid = the RFC 7638 thumbprint; the token verifies with the published key', async () => {
    await restart({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: first.privatePem });
    const token = await login();
    expect(decodeSegment(token, 0)).toEqual({ alg: algorithm, typ: 'JWT', kid: first.kid });
    const claims = decodeSegment(token, 1);
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    expect((claims.exp as number) - (claims.iat as number)).toBe(7200);
    expect((await me(token)).status).toBe(200);

    const { keys } = await jwks();
    expect(keys).toEqual([
      {
        ...jwk,
        kid: first.kid,
        x: expect.any(String),
        ...(algorithm === 'ES256' ? { y: expect.any(String) } : {}),
      },
    ]);
    expect(verifiesWith(token, keys[0])).toBe(true);
  });

  it('works without JWT_SECRET, and carries iss/aud when configured', async () => {
    const { JWT_SECRET: _unset, ...withoutSecret } = stack.env;
    await stack.service.close();
    stack.service = await startService({
      ...withoutSecret,
      JWT_ALGORITHM: algorithm,
      JWT_PRIVATE_KEY: first.privatePem,
      JWT_ISSUER: 'https://auth.example.test',
      JWT_AUDIENCE: 'orders',
    });
    const token = await login();
    expect(decodeSegment(token, 1)).toMatchObject({
      iss: 'https://auth.example.test',
      aud: 'orders',
    });
    expect((await me(token)).status).toBe(200);
  });

  it('rotation: the new key signs, tokens of the retired key still verify, JWKS lists both', async () => {
    await restart({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: first.privatePem });
    const old = await login();

    // The operator's rotation: new key in JWT_PRIVATE_KEY, the old public key kept.
    await restart({
      JWT_ALGORITHM: algorithm,
      JWT_PRIVATE_KEY: second.privatePem,
      JWT_PREVIOUS_PUBLIC_KEYS: first.publicPem,
    });
    const fresh = await login();
    expect(decodeSegment(fresh, 0).kid).toBe(second.kid);
    expect((await me(old)).status).toBe(200);
    expect((await me(fresh)).status).toBe(200);
    const { keys } = await jwks();
    expect(keys.map((key) => key.kid)).toEqual([second.kid, first.kid]);
    expect(verifiesWith(old, keys[1])).toBe(true);
    expect(verifiesWith(fresh, keys[0])).toBe(true);

    // Once the retired key is dropped, its tokens stop working.
    await restart({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: second.privatePem });
    expect((await me(old)).status).toBe(401);
    expect((await me(fresh)).status).toBe(200);
  });
});
