import { JwtService } from '@nestjs/jwt';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { AccessTokenService } from './access-token.service';
import { jwtModuleOptions } from './jwt-options';

const JWT_SECRET = 'access-token-spec-secret-0123456789abcdef';

/** JwtService set up as AuthModule sets it up. */
function jwtFor(config: AppConfig): JwtService {
  return new JwtService(jwtModuleOptions(config));
}

function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}

describe('AccessTokenService', () => {
  const config = loadAppConfig({ NODE_ENV: 'test', JWT_SECRET });
  const jwt = jwtFor(config);
  const service = new AccessTokenService(jwt, config);
  const sessionId = '3f1c2b9e-8a47-4d8e-9b1a-6f0e5c4d3b2a';

  it('signs HS256 tokens with sub (the user id as a string), sid, iat and exp = iat + ttl', () => {
    const before = Math.floor(Date.now() / 1000);
    const token = service.sign(42n, sessionId);
    const after = Math.floor(Date.now() / 1000);

    expect(decodePart(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodePart(token, 1);
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    expect(claims.sub).toBe('42');
    expect(claims.sid).toBe(sessionId);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
    expect(claims.exp).toBe((claims.iat as number) + 7200);
    expect(service.ttlSeconds).toBe(7200);
  });

  it('keeps user ids beyond 2^53 exact', () => {
    const token = service.sign(18446744073709551615n, sessionId);
    expect(decodePart(token, 1).sub).toBe('18446744073709551615');
  });

  it('follows JWT_ACCESS_TTL', () => {
    const short = loadAppConfig({ NODE_ENV: 'test', JWT_SECRET, JWT_ACCESS_TTL: '15m' });
    const claims = decodePart(new AccessTokenService(jwtFor(short), short).sign(1n, sessionId), 1);
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
  });

  it('is verified with the secret and refused with another one', () => {
    const token = service.sign(7n, sessionId);
    expect(jwt.verify(token)).toMatchObject({ sub: '7', sid: sessionId });

    const other = loadAppConfig({ NODE_ENV: 'test', JWT_SECRET: `${JWT_SECRET}-other` });
    expect(() => jwtFor(other).verify(token)).toThrow(/invalid signature/);
  });
});
