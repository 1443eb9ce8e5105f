import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { expectError } from './support/errors';
import { call } from './support/http';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

const JWT_SECRET = 'tokens-e2e-secret-0123456789abcdef0123456789';
const stack = useTestStack({
  JWT_SECRET,
});

async function loginNewUser() {
  const minted = await mintLoginCode(stack.emulator.url);
  const result = await call(`${stack.service.url}/auth/wechat/login`, {
    body: { code: minted.code },
  });
  expect(result.status).toBe(200);
  return result.body as { accessToken: string; refreshToken: string; user: { id: number } };
}
const me = (token: string) => call(`${stack.service.url}/users/me`, { token });
const refresh = (refreshToken: unknown) =>
  call(`${stack.service.url}/auth/refresh`, { body: { refreshToken } });
const claimsOf = (token: string) =>
  jwt.decode(token) as { sub: string; sid: string; iat: number; exp: number };
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  it('are HS256 with sub (user id as a string), sid, iat and exp', async () => {
    const session = await loginNewUser();
    const [header] = session.accessToken.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const claims = claimsOf(session.accessToken);
    expect(claims.sub).toBe(String(session.user.id));
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp - claims.iat).toBe(7200);
    expect((await me(session.accessToken)).status).toBe(200);
  });

  it('no token, a malformed header or token → UNAUTHORIZED', async () => {
    expectError(await call(`${stack.service.url}/users/me`), 401, 'UNAUTHORIZED');
    expectError(
      await call(`${stack.service.url}/users/me`, { headers: { authorization: 'Basic abc' } }),
      401,
      'UNAUTHORIZED',
    );
    expectError(await me('not.a.jwt'), 401, 'UNAUTHORIZED');
    expectError(await me('garbage'), 401, 'UNAUTHORIZED');
  });

  it('an expired token → TOKEN_EXPIRED', async () => {
    const session = await loginNewUser();
    const { sub, sid } = claimsOf(session.accessToken);
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = jwt.sign({ sub, sid, iat: past - 7200, exp: past }, JWT_SECRET, {
      algorithm: 'HS256',
    });
    expectError(await me(expired), 401, 'TOKEN_EXPIRED');
  });

  it('a token not valid yet (nbf in the future) → UNAUTHORIZED', async () => {
    const { sub, sid } = claimsOf((await loginNewUser()).accessToken);
    const token = jwt.sign({ sub, sid }, JWT_SECRET, {
      algorithm: 'HS256',
      expiresIn: 600,
      notBefore: 300,
    });
    expectError(await me(token), 401, 'UNAUTHORIZED');
  });

  it('alg none, another secret, HS384, RS256 and HS/RS confusion → UNAUTHORIZED', async () => {
    const { sub, sid } = claimsOf((await loginNewUser()).accessToken);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub, sid, iat: now, exp: now + 600 };
    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    const otherSecret = jwt.sign(claims, 'another-secret-0123456789abcdef0123456789', {
      algorithm: 'HS256',
    });
    const hs384 = jwt.sign(claims, JWT_SECRET, { algorithm: 'HS384' });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = jwt.sign(claims, privateKey, { algorithm: 'RS256' });
    // Confusion: claim RS256 but sign with HMAC over the public key, as if it were a shared secret.
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const unsigned = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(claims)}`;
    const confused = `${unsigned}.${createHmac('sha256', pem).update(unsigned).digest('base64url')}`;
    for (const token of [none, otherSecret, hs384, rs256, confused]) {
      expectError(await me(token), 401, 'UNAUTHORIZED');
    }
  });

  it('a validly signed token without exp or iat → UNAUTHORIZED (it would never expire)', async () => {
    const session = await loginNewUser();
    const { sub, sid, iat } = claimsOf(session.accessToken);
    const noExp = jwt.sign({ sub, sid, iat }, JWT_SECRET, { algorithm: 'HS256' });
    expectError(await me(noExp), 401, 'UNAUTHORIZED');
    const noIat = jwt.sign({ sub, sid, exp: iat + 600 }, JWT_SECRET, {
      algorithm: 'HS256',
      noTimestamp: true,
    });
    expectError(await me(noIat), 401, 'UNAUTHORIZED');
  });

  it('a tampered payload → UNAUTHORIZED', async () => {
    const session = await loginNewUser();
    const [header, , signature] = session.accessToken.split('.');
    const claims = claimsOf(session.accessToken);
    const tampered = `${header}.${base64url({ ...claims, sub: '1' })}.${signature}`;
    expectError(await me(tampered), 401, 'UNAUTHORIZED');
  });

  it('a validly signed token for a session that does not exist → SESSION_REVOKED', async () => {
    const { sub } = claimsOf((await loginNewUser()).accessToken);
    const token = jwt.sign({ sub, sid: '00000000-0000-4000-8000-000000000000' }, JWT_SECRET, {
      algorithm: 'HS256',
      expiresIn: 600,
    });
    expectError(await me(token), 401, 'SESSION_REVOKED');
  });

  it('a validly signed token pairing a live session with another account, or with no account → SESSION_REVOKED', async () => {
    const { sid } = claimsOf((await loginNewUser()).accessToken);
    const { sub: otherAccount } = claimsOf((await loginNewUser()).accessToken);
    // The largest `sub` the verifier lets through is beyond BIGINT UNSIGNED.
    for (const sub of [otherAccount, '0', '99999999999999999999']) {
      const token = jwt.sign({ sub, sid }, JWT_SECRET, { algorithm: 'HS256', expiresIn: 600 });
      expectError(await me(token), 401, 'SESSION_REVOKED');
    }
  });
});

describe('refresh tokens', () => {
  it('rotate: the new pair works, the old refresh token is then a reuse that revokes the session', async () => {
    const session = await loginNewUser();
    const rotated = await refresh(session.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 7200,
      refreshToken: expect.any(String),
      refreshExpiresIn: 2592000,
    });
    expect(rotated.body.refreshToken).not.toBe(session.refreshToken);
    expect(claimsOf(rotated.body.accessToken).sid).toBe(claimsOf(session.accessToken).sid);
    // Access tokens issued before the rotation stay valid.
    expect((await me(session.accessToken)).status).toBe(200);
    expect((await me(rotated.body.accessToken)).status).toBe(200);

    expectError(await refresh(session.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
    expectError(await refresh(rotated.body.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    expectError(await me(rotated.body.accessToken), 401, 'SESSION_REVOKED');
    expectError(await me(session.accessToken), 401, 'SESSION_REVOKED');
  });

  it('stores only hashes of refresh tokens', async () => {
    const session = await loginNewUser();
    const rows = await stack.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM auth_session UNION ALL SELECT token_hash FROM refresh_token',
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(session.refreshToken);
    const [own] = await stack.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM auth_session WHERE id = ?',
      [claimsOf(session.accessToken).sid],
    );
    expect(own.token_hash).toBe(createHash('sha256').update(session.refreshToken).digest('hex'));
    expect(Buffer.from(session.refreshToken, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('of two simultaneous refreshes with one token exactly one succeeds', async () => {
    const session = await loginNewUser();
    const results = await Promise.all([
      refresh(session.refreshToken),
      refresh(session.refreshToken),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const loser = results.find((r) => r.status === 401)!;
    expect(['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED']).toContain(loser.body.code);
  });

  it('unknown, empty and malformed refresh tokens', async () => {
    expectError(await refresh('x'.repeat(43)), 401, 'REFRESH_TOKEN_INVALID');
    expectError(await refresh('not a token at all'), 401, 'REFRESH_TOKEN_INVALID');
    expectError(await refresh(''), 400, 'VALIDATION_FAILED');
    expectError(await refresh(123), 400, 'VALIDATION_FAILED');
    expectError(
      await call(`${stack.service.url}/auth/refresh`, { body: {} }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('an expired refresh token → REFRESH_TOKEN_INVALID', async () => {
    const session = await loginNewUser();
    // The current refresh token expires with its session.
    await stack.db.query(
      'UPDATE auth_session SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ?',
      [claimsOf(session.accessToken).sid],
    );
    expectError(await refresh(session.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
  });

  it('a spent refresh token past its expiry → REFRESH_TOKEN_INVALID, the session stays', async () => {
    const session = await loginNewUser();
    const rotated = await refresh(session.refreshToken);
    expect(rotated.status).toBe(200);
    await stack.db.query(
      'UPDATE refresh_token SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE session_id = ?',
      [claimsOf(session.accessToken).sid],
    );
    expectError(await refresh(session.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    expect((await me(rotated.body.accessToken)).status).toBe(200);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(200);
  });
});

describe('logout', () => {
  it('answers 204; the access token is then SESSION_REVOKED and the refresh token REFRESH_TOKEN_INVALID', async () => {
    const session = await loginNewUser();
    const other = await loginNewUser();
    const result = await call(`${stack.service.url}/auth/logout`, {
      method: 'POST',
      token: session.accessToken,
    });
    expect(result.status).toBe(204);
    expect(result.text).toBe('');
    expectError(await me(session.accessToken), 401, 'SESSION_REVOKED');
    expectError(await refresh(session.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    expect((await me(other.accessToken)).status).toBe(200);
  });

  it('needs a bearer token', async () => {
    expectError(
      await call(`${stack.service.url}/auth/logout`, { method: 'POST' }),
      401,
      'UNAUTHORIZED',
    );
  });
});

describe('a disabled user', () => {
  it('is refused on bearer routes, refresh and login with USER_DISABLED', async () => {
    const minted = await mintLoginCode(stack.emulator.url);
    const session = (
      await call(`${stack.service.url}/auth/wechat/login`, { body: { code: minted.code } })
    ).body;
    await stack.db.query("UPDATE account SET status = 'disabled' WHERE id = ?", [session.user.id]);
    expectError(await me(session.accessToken), 403, 'USER_DISABLED');
    expectError(await refresh(session.refreshToken), 403, 'USER_DISABLED');
    const again = await mintLoginCode(stack.emulator.url, { openid: minted.openid });
    expectError(
      await call(`${stack.service.url}/auth/wechat/login`, { body: { code: again.code } }),
      403,
      'USER_DISABLED',
    );
  });

  it('whose session was logged out is told SESSION_REVOKED, the session being checked first', async () => {
    const session = await loginNewUser();
    await stack.db.query("UPDATE account SET status = 'disabled' WHERE id = ?", [session.user.id]);
    await stack.db.query(
      `UPDATE auth_session SET revoked_at = NOW(3)
        WHERE wx_user_id IN (SELECT id FROM wx_user WHERE account_id = ?)`,
      [session.user.id],
    );
    // The two reads of the guard run at once; the verdict must not depend on which ends first.
    for (let attempt = 0; attempt < 20; attempt++) {
      expectError(await me(session.accessToken), 401, 'SESSION_REVOKED');
    }
  });
});
