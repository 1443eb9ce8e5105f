import { createHmac, sign } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { expectError } from './support/errors';
import { call } from './support/http';
import { startService } from './support/service';
import { decodeSegment, newKeyPair, signToken, TestKeyPair } from './support/signing-keys';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

const server = newKeyPair('ES256');
const stack = useTestStack({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: server.privatePem });

/** Restarts the service on the same database with these JWT settings instead of the first ones. */
async function restart(jwtEnv: Record<string, string>): Promise<void> {
  await stack.service.close();
  const others = Object.entries(stack.env).filter(([name]) => !name.startsWith('JWT_'));
  stack.service = await startService({ ...Object.fromEntries(others), ...jwtEnv });
}

async function login(): Promise<{ token: string; claims: Record<string, unknown> }> {
  const { code } = await mintLoginCode(stack.emulator.url);
  const result = await call(`${stack.service.url}/auth/wechat/login`, { body: { code } });
  expect(result.status).toBe(200);
  const token = result.body.accessToken as string;
  return { token, claims: decodeSegment(token, 1) };
}
const me = (token: string) => call(`${stack.service.url}/users/me`, { token });
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const expectRefused = async (token: string) => expectError(await me(token), 401, 'UNAUTHORIZED');

describe('attacks on ES256 access tokens', () => {
  let claims: Record<string, unknown>;
  const attacker: TestKeyPair = newKeyPair('ES256');
  const header = { alg: 'ES256', typ: 'JWT', kid: server.kid };

  beforeAll(async () => {
    const session = await login();
    claims = session.claims;
    // The baseline: the server's own key, the same claims, works.
    expect((await me(signToken(header, claims, server.privateKey))).status).toBe(200);
  });

  it('alg none', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      await expectRefused(`${segment({ alg, typ: 'JWT', kid: server.kid })}.${segment(claims)}.`);
    }
  });

  it('HS256 keyed with the public key (algorithm confusion), in PEM, DER and JWK form', async () => {
    const secrets = [
      server.publicPem,
      server.publicKey.export({ type: 'spki', format: 'der' }),
      JSON.stringify(server.publicKey.export({ format: 'jwk' })),
    ];
    for (const secret of secrets) {
      const unsigned = `${segment({ alg: 'HS256', typ: 'JWT', kid: server.kid })}.${segment(claims)}`;
      const mac = createHmac('sha256', secret).update(unsigned).digest('base64url');
      await expectRefused(`${unsigned}.${mac}`);
    }
  });

  it('another asymmetric algorithm than JWT_ALGORITHM, with the right key', async () => {
    await expectRefused(signToken({ ...header, alg: 'ES384' }, claims, server.privateKey));
    await expectRefused(signToken({ ...header, alg: 'EdDSA' }, claims, server.privateKey));
  });

  it('an unknown kid, and no kid at all', async () => {
    await expectRefused(signToken({ ...header, kid: attacker.kid }, claims, attacker.privateKey));
    await expectRefused(signToken({ ...header, kid: 'no-such-key' }, claims, server.privateKey));
    const { kid: _kid, ...withoutKid } = header;
    await expectRefused(signToken(withoutKid, claims, server.privateKey));
    await expectRefused(signToken({ ...header, kid: [server.kid] }, claims, server.privateKey));
  });

  it("the server's kid with an attacker's signature", async () => {
    await expectRefused(signToken(header, claims, attacker.privateKey));
  });

  it('jku, x5u and an embedded jwk header pointing at the attacker key', async () => {
    const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
    const headers = [
      { ...header, kid: attacker.kid, jku: 'https://attacker.example/jwks.json' },
      { ...header, kid: attacker.kid, x5u: 'https://attacker.example/cert.pem' },
      { ...header, kid: attacker.kid, jwk: attackerJwk },
      { ...header, jwk: attackerJwk },
    ];
    for (const each of headers) await expectRefused(signToken(each, claims, attacker.privateKey));
  });

  it('key-source and crit headers are refused even on tokens signed with the real key', async () => {
    for (const extra of [
      { jku: `${stack.service.url}/.well-known/jwks.json` },
      { x5u: 'https://attacker.example/cert.pem' },
      { jwk: server.publicKey.export({ format: 'jwk' }) },
      { crit: ['exp'] },
    ]) {
      await expectRefused(signToken({ ...header, ...extra }, claims, server.privateKey));
    }
  });

  it('a tampered payload, a truncated signature, a DER-encoded signature', async () => {
    const good = signToken(header, claims, server.privateKey);
    const [h, , s] = good.split('.');
    await expectRefused(`${h}.${segment({ ...claims, sub: `${claims.sub as string}0` })}.${s}`);
    await expectRefused(`${h}.${good.split('.')[1]}.${s.slice(0, 40)}`);
    // The same signature in ASN.1 DER (what crypto.sign makes by default) instead of JOSE's r‖s.
    const input = `${h}.${good.split('.')[1]}`;
    const der = sign('sha256', Buffer.from(input), server.privateKey).toString('base64url');
    await expectRefused(`${input}.${der}`);
  });

  it('an expired token → TOKEN_EXPIRED; nbf in the future → UNAUTHORIZED', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectError(
      await me(signToken(header, { ...claims, iat: now - 7200, exp: now - 1 }, server.privateKey)),
      401,
      'TOKEN_EXPIRED',
    );
    await expectRefused(signToken(header, { ...claims, nbf: now + 300 }, server.privateKey));
    const { exp: _exp, ...noExp } = claims;
    await expectRefused(signToken(header, noExp, server.privateKey));
  });
});

describe.each<[string, Record<string, string>]>([
  ['ES256', { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: server.privatePem }],
  ['HS256', { JWT_ALGORITHM: 'HS256', JWT_SECRET: 'jwt-attacks-e2e-secret-0123456789abcdef' }],
])('JWT_ISSUER / JWT_AUDIENCE under %s', (algorithm, env) => {
  const sign = (claims: Record<string, unknown>) =>
    algorithm === 'ES256'
      ? signToken({ alg: 'ES256', typ: 'JWT', kid: server.kid }, claims, server.privateKey)
      : jwt.sign(claims, env.JWT_SECRET, { algorithm: 'HS256' });

  it('a wrong or missing iss or aud → UNAUTHORIZED', async () => {
    await restart({ ...env, JWT_ISSUER: 'https://auth.example.test', JWT_AUDIENCE: 'orders' });
    const { token, claims } = await login();
    expect(claims).toMatchObject({ iss: 'https://auth.example.test', aud: 'orders' });
    expect((await me(token)).status).toBe(200);
    expect((await me(sign(claims))).status).toBe(200);
    expect((await me(sign({ ...claims, aud: ['billing', 'orders'] }))).status).toBe(200);

    const { iss: _iss, ...noIss } = claims;
    const { aud: _aud, ...noAud } = claims;
    for (const forged of [
      { ...claims, iss: 'https://attacker.example' },
      { ...claims, aud: 'billing' },
      noIss,
      noAud,
    ]) {
      await expectRefused(sign(forged));
    }
  });
});
