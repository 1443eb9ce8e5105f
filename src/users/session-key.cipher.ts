import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';

export interface SealedSessionKey {
  /** base64url(iv) . base64url(ciphertext) . base64url(tag) */
  cipher: string;
  /** Which SESSION_KEY_SECRET sealed it. */
  kid: string;
}

/**
 * Encrypts WeChat session keys at rest with AES-256-GCM. Each value records the id of the
 * key that sealed it, so SESSION_KEY_SECRET can be rotated: the new key seals, old keys
 * (SESSION_KEY_PREVIOUS_SECRETS) still open what they sealed.
 */
@Injectable()
export class SessionKeyCipher {
  private readonly keys: Map<string, Buffer>;
  private readonly current: { kid: string; key: Buffer };

  constructor(config: AppConfig) {
    this.current = config.sessionKeySecrets[0];
    this.keys = new Map(config.sessionKeySecrets.map(({ kid, key }) => [kid, key]));
  }

  seal(sessionKey: string): SealedSessionKey {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(sessionKey, 'utf8'), cipher.final()]);
    const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'));
    return { cipher: parts.join('.'), kid: this.current.kid };
  }

  /** The plain session key, or undefined when the key id is unknown or the value was tampered with. */
  open(sealed: SealedSessionKey): string | undefined {
    const key = this.keys.get(sealed.kid);
    const parts = sealed.cipher.split('.');
    if (!key || parts.length !== 3) return undefined;
    const [iv, ciphertext, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
