import { randomBytes } from 'node:crypto';
import { loadAppConfig } from '../config/app-config';
import { SealedSessionKey, SessionKeyCipher } from './session-key.cipher';

const OLD_KEY = randomBytes(32).toString('hex');
const NEW_KEY = randomBytes(32).toString('base64');
/** What WeChat hands out: base64 of 16 bytes. */
const SESSION_KEY = randomBytes(16).toString('base64');

function cipherWith(current: string, previous?: string): SessionKeyCipher {
  return new SessionKeyCipher(
    loadAppConfig({
      NODE_ENV: 'test',
      SESSION_KEY_SECRET: current,
      SESSION_KEY_PREVIOUS_SECRETS: previous,
    }),
  );
}

/** Flips one bit in one of the three base64url parts. */
function tamper(sealed: SealedSessionKey, part: 0 | 1 | 2): SealedSessionKey {
  const parts = sealed.cipher.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return { ...sealed, cipher: parts.join('.') };
}

describe('SessionKeyCipher', () => {
  const cipher = cipherWith(OLD_KEY);

  it('opens what it sealed', () => {
    const sealed = cipher.seal(SESSION_KEY);
    expect(cipher.open(sealed)).toBe(SESSION_KEY);
  });

  it('round-trips any text, the empty string included', () => {
    for (const text of ['', 'ü→🙂', 'x'.repeat(1000)]) {
      expect(cipher.open(cipher.seal(text))).toBe(text);
    }
  });

  it('seals as iv.ciphertext.tag (12-byte iv, 16-byte tag) without the plain key in it', () => {
    const sealed = cipher.seal(SESSION_KEY);
    const [iv, ciphertext, tag] = sealed.cipher
      .split('.')
      .map((part) => Buffer.from(part, 'base64url'));
    expect(sealed.cipher).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(iv).toHaveLength(12);
    expect(ciphertext).toHaveLength(Buffer.byteLength(SESSION_KEY));
    expect(tag).toHaveLength(16);
    expect(sealed.cipher).not.toContain(SESSION_KEY);
    expect(sealed.kid).toMatch(/^[0-9a-f]{8}$/);
    // Fits the wx_user.session_key_cipher and session_key_kid columns.
    expect(sealed.cipher.length).toBeLessThanOrEqual(255);
    expect(sealed.kid.length).toBeLessThanOrEqual(16);
  });

  it('uses a fresh iv for every seal', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(cipher.seal(SESSION_KEY).cipher.split('.')[0]);
    expect(seen.size).toBe(50);
  });

  it.each([
    ['iv', 0],
    ['ciphertext', 1],
    ['tag', 2],
  ] as const)('refuses a value whose %s was changed', (_name, part) => {
    expect(cipher.open(tamper(cipher.seal(SESSION_KEY), part))).toBeUndefined();
  });

  it.each(['', 'abc', 'a.b', 'a.b.c.d', '..'])('refuses the malformed value %j', (value) => {
    expect(cipher.open({ cipher: value, kid: cipher.seal(SESSION_KEY).kid })).toBeUndefined();
  });

  it('refuses an unknown key id', () => {
    const sealed = cipher.seal(SESSION_KEY);
    expect(cipher.open({ ...sealed, kid: 'deadbeef' })).toBeUndefined();
  });

  describe('key rotation', () => {
    const sealedUnderOld = cipher.seal(SESSION_KEY);

    it('opens values sealed under a key listed in SESSION_KEY_PREVIOUS_SECRETS', () => {
      const rotated = cipherWith(NEW_KEY, OLD_KEY);
      expect(rotated.open(sealedUnderOld)).toBe(SESSION_KEY);
    });

    it('seals new values under the new key only', () => {
      const rotated = cipherWith(NEW_KEY, OLD_KEY);
      const sealed = rotated.seal(SESSION_KEY);
      expect(sealed.kid).not.toBe(sealedUnderOld.kid);
      expect(rotated.open(sealed)).toBe(SESSION_KEY);
      expect(cipher.open(sealed)).toBeUndefined();
    });

    it('no longer opens values of a key that was dropped', () => {
      expect(cipherWith(NEW_KEY).open(sealedUnderOld)).toBeUndefined();
    });

    it('refuses a value relabelled with another known key id', () => {
      const rotated = cipherWith(NEW_KEY, OLD_KEY);
      const newKid = rotated.seal(SESSION_KEY).kid;
      expect(rotated.open({ ...sealedUnderOld, kid: newKid })).toBeUndefined();
    });
  });
});
