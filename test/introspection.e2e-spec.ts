import { expectError } from './support/errors';
import { call } from './support/http';
import { startService } from './support/service';
import { decodeSegment, newKeyPair, signToken } from './support/signing-keys';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

const INTROSPECTION_TOKEN = 'introspection-e2e-token-0123456789abcdefghij';
const key = newKeyPair('EdDSA');
const stack = useTestStack({
  JWT_ALGORITHM: 'EdDSA',
  JWT_PRIVATE_KEY: key.privatePem,
  INTROSPECTION_TOKEN,
});

async function login() {
  const { code } = await mintLoginCode(stack.emulator.url);
  const result = await call(`${stack.service.url}/auth/wechat/login`, { body: { code } });
  expect(result.status).toBe(200);
  return result.body as { accessToken: string; user: { id: number } };
}

/** RFC 7662's own form: a form body and the introspection bearer. */
const introspectForm = (form: string, bearer = INTROSPECTION_TOKEN) =>
  call(`${stack.service.url}/auth/introspect`, {
    raw: form,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Bearer ${bearer}`,
    },
  });
const introspectJson = (body: unknown, bearer = INTROSPECTION_TOKEN) =>
  call(`${stack.service.url}/auth/introspect`, { body, token: bearer });

describe('POST /auth/introspect', () => {
  it('answers the claims of a live token, from a form body and from JSON', async () => {
    const session = await login();
    const claims = decodeSegment(session.accessToken, 1);
    const expected = {
      active: true,
      sub: String(session.user.id),
      sid: claims.sid,
      exp: claims.exp,
      iat: claims.iat,
      token_type: 'Bearer',
      app_id: 'wx1234567890abcdef',
    };
    const form = await introspectForm(
      `token=${encodeURIComponent(session.accessToken)}&token_type_hint=access_token`,
    );
    expect(form.status).toBe(200);
    expect(form.body).toEqual(expected);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const json = await introspectJson({ token: session.accessToken });
    expect(json.body).toEqual(expected);
  });

  it('active: false for an expired, revoked, disabled, forged or malformed token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expiredSession = await login();
    const expired = signToken(
      { alg: 'EdDSA', typ: 'JWT', kid: key.kid },
      { ...decodeSegment(expiredSession.accessToken, 1), iat: now - 7200, exp: now - 1 },
      key.privateKey,
    );
    const loggedOut = await login();
    expect(
      (
        await call(`${stack.service.url}/auth/logout`, {
          method: 'POST',
          token: loggedOut.accessToken,
        })
      ).status,
    ).toBe(204);
    const disabled = await login();
    await stack.db.query("UPDATE account SET status = 'disabled' WHERE id = ?", [disabled.user.id]);
    const forged = signToken(
      { alg: 'EdDSA', typ: 'JWT', kid: key.kid },
      decodeSegment(expiredSession.accessToken, 1),
      newKeyPair('EdDSA').privateKey,
    );
    for (const token of [expired, loggedOut.accessToken, disabled.accessToken, forged, 'garbage']) {
      const result = await introspectForm(`token=${encodeURIComponent(token)}`);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ active: false });
    }
  });

  it('a missing or wrong bearer → UNAUTHORIZED, before the body is looked at', async () => {
    const session = await login();
    const form = `token=${session.accessToken}`;
    expectError(await introspectForm(form, `${INTROSPECTION_TOKEN}x`), 401, 'UNAUTHORIZED');
    expectError(await introspectForm(form, INTROSPECTION_TOKEN.slice(0, -1)), 401, 'UNAUTHORIZED');
    // A user's access token is not the introspection token.
    expectError(await introspectForm(form, session.accessToken), 401, 'UNAUTHORIZED');
    expectError(
      await call(`${stack.service.url}/auth/introspect`, { body: { token: session.accessToken } }),
      401,
      'UNAUTHORIZED',
    );
    expectError(await introspectJson({ nonsense: 1 }, 'wrong'), 401, 'UNAUTHORIZED');
  });

  it('a body without a token, a repeated token or an unknown field → VALIDATION_FAILED', async () => {
    for (const form of [
      '',
      'token=',
      'token=a&token=b',
      'token=a&scope=x',
      '__proto__=x&token=a',
    ]) {
      expectError(await introspectForm(form), 400, 'VALIDATION_FAILED');
    }
    expectError(await introspectJson({ token: 42 }), 400, 'VALIDATION_FAILED');
    expectError(
      await call(`${stack.service.url}/auth/introspect`, {
        raw: 'token=a',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${INTROSPECTION_TOKEN}` },
      }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('other routes still refuse form bodies', async () => {
    const result = await call(`${stack.service.url}/auth/refresh`, {
      raw: 'refreshToken=abc',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(result, 400, 'VALIDATION_FAILED', /application\/json/);
  });

  it('shares the login rate limit of the client IP', async () => {
    await stack.service.close();
    stack.service = await startService({ ...stack.env, LOGIN_RATE_LIMIT: '3' });
    for (let i = 0; i < 2; i++) {
      expect((await introspectForm('token=a', 'wrong')).status).toBe(401);
    }
    const { code } = await mintLoginCode(stack.emulator.url);
    expect((await call(`${stack.service.url}/auth/wechat/login`, { body: { code } })).status).toBe(
      200,
    );
    const limited = await introspectForm('token=a');
    expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('without INTROSPECTION_TOKEN the route answers as an unknown one, whatever the body', async () => {
    const { INTROSPECTION_TOKEN: _unset, ...env } = stack.env;
    await stack.service.close();
    stack.service = await startService(env);
    const post = (path: string, raw: string, type: string) =>
      call(`${stack.service.url}${path}`, {
        method: 'POST',
        raw,
        headers: { 'content-type': type, authorization: `Bearer ${INTROSPECTION_TOKEN}` },
      });
    const unknown = await post('/auth/no-such-route', '{"token":"a"}', 'application/json');
    expectError(unknown, 404, 'NOT_FOUND');
    for (const [raw, type] of [
      ['{"token":"a"}', 'application/json'],
      ['token=a', 'application/x-www-form-urlencoded'],
      ['{"token":', 'application/json'],
      ['', 'application/x-www-form-urlencoded'],
    ]) {
      const result = await post('/auth/introspect', raw, type);
      expectError(result, 404, 'NOT_FOUND', new RegExp(`^${unknown.body.message as string}$`));
    }
    expect((await call(`${stack.service.url}/.well-known/jwks.json`)).status).toBe(200);
  });
});
