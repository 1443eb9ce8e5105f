import { sessionIdOf } from './token-claims';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (claims: unknown) => `${part({ alg: 'HS256' })}.${part(claims)}.signature`;

describe('sessionIdOf (mini-program sample)', () => {
  it('reads the sid claim of a JWT', () => {
    const sid = '3f0c1a52-9d4e-4b7a-8c21-5e6f7a8b9c0d';

    expect(sessionIdOf(token({ sub: '7', sid, iat: 1, exp: 2 }))).toBe(sid);
  });

  it('reads it past non-ASCII claims and at every padding length', () => {
    for (const filler of ['', 'a', 'ab', 'abc']) {
      expect(sessionIdOf(token({ iss: '小明😀', filler, sid: 's-1' }))).toBe('s-1');
    }
  });

  it.each([
    ['no payload', 'opaque-token'],
    ['a payload that is not base64url', 'a.b*c.d'],
    ['a payload that is not JSON', `a.${Buffer.from('nope').toString('base64url')}.c`],
    ['no sid', token({ sub: '7' })],
    ['a sid that is not a string', token({ sid: 7 })],
    ['a JSON payload that is not an object', token('sid')],
  ])('answers null for %s', (_case, value) => {
    expect(sessionIdOf(value)).toBeNull();
  });
});
