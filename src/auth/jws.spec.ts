import { createHmac, createSecretKey } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { JwsError, verifyHs256Jws } from './jws';

const secret = createSecretKey(Buffer.from('jws-spec-secret-0123456789abcdef0123'));
const claims = { sub: '7', sid: 's-1', iat: 1_700_000_000, exp: 4_000_000_000 };
const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with any header, MAC'd with `key` under HMAC-SHA256 (whatever the header says). */
function hmacToken(header: object, payload: object = claims, key = secret): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe('verifyHs256Jws', () => {
  it('returns the payload of a token jsonwebtoken signed with the secret (as @nestjs/jwt does)', () => {
    expect(verifyHs256Jws(sign(claims, secret, { algorithm: 'HS256' }), secret)).toEqual(claims);
    expect(verifyHs256Jws(hmacToken({ alg: 'HS256', kid: 'any' }), secret)).toEqual(claims);
  });

  it.each([
    ['another secret', sign(claims, 'another-secret-0123456789abcdef', { algorithm: 'HS256' })],
    ['alg none', `${segment({ alg: 'none', typ: 'JWT' })}.${segment(claims)}.`],
    ['alg HS512', sign(claims, secret, { algorithm: 'HS512' })],
    ['alg HS384 under an HS256 MAC', hmacToken({ alg: 'HS384' })],
    ['a key-source header', hmacToken({ alg: 'HS256', jku: 'https://evil.example/keys' })],
    ['a crit header', hmacToken({ alg: 'HS256', crit: ['exp'] })],
    [
      'a payload changed after signing',
      (() => {
        const [header, , mac] = hmacToken({ alg: 'HS256' }).split('.');
        return `${header}.${segment({ ...claims, sub: '1' })}.${mac}`;
      })(),
    ],
    ['a truncated signature', hmacToken({ alg: 'HS256' }).slice(0, -2)],
    ['two segments', `${segment({ alg: 'HS256' })}.${segment(claims)}`],
    ['padding in a segment', `${hmacToken({ alg: 'HS256' })}=`],
    ['a header that is not JSON', `bm90IGpzb24.${segment(claims)}.AAAA`],
    ['a payload that is an array', hmacToken({ alg: 'HS256' }, [claims])],
  ])('refuses %s', (_case, token) => {
    expect(() => verifyHs256Jws(token, secret)).toThrow(JwsError);
  });
});
