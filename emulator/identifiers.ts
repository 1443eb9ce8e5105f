/** Random identifiers shaped like WeChat's. */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URL_SAFE = `${ALNUM}-_`;

/**
 * Bulk minting makes thousands of identifiers per request; drawing them from a refilled pool
 * costs one crypto call per 4 KiB instead of one per identifier.
 */
class RandomPool {
  private pool: Buffer = Buffer.alloc(0);
  private offset = 0;

  take(length: number): Buffer {
    if (this.offset + length > this.pool.length) {
      this.pool = randomBytes(Math.max(4096, length));
      this.offset = 0;
    }
    const bytes = this.pool.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }
}

const random = new RandomPool();

/** Modulo bias over a 62-character alphabet does not matter for an emulator. */
export function randomString(alphabet: string, length: number): string {
  let text = '';
  for (const byte of random.take(length)) text += alphabet.charAt(byte % alphabet.length);
  return text;
}

export const newLoginCode = (): string => randomString(ALNUM, 32);
export const newSessionKey = (): string => random.take(16).toString('base64');
export const newPhoneCode = (): string => random.take(32).toString('hex');
/** 136 characters, like the stable tokens WeChat hands out. */
export const newStableToken = (): string => `86_${randomString(URL_SAFE, 133)}`;
/** Web (OAuth) user tokens are shorter than stable tokens and never valid as one. */
export const newUserToken = (): string => `86_${randomString(URL_SAFE, 86)}`;
export const newRefreshToken = (): string => `86_${randomString(URL_SAFE, 86)}`;
/** 28 characters starting with "o", like WeChat's unionids. */
export const newUnionid = (): string => `o${randomString(URL_SAFE, 27)}`;
export const newOpenid = (prefix: string): string => `${prefix}${randomString(URL_SAFE, 22)}`;
export const newHeadImgUrl = (): string =>
  `https://thirdwx.qlogo.cn/mmopen/vi_32/${randomString(ALNUM, 64)}/132`;
export const newTraceId = (): string => random.take(16).toString('hex');

/** Real openids of one app share their first characters; ours do too. */
export function openidPrefixFor(appId: string): string {
  return `o${createHash('sha256').update(appId).digest('base64url').slice(0, 5)}`;
}

/** WeChat's request id: the unix time in hex, then two random hex groups. */
export function requestId(nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  const hex = random.take(8).toString('hex');
  return `${seconds}-${hex.slice(0, 8)}-${hex.slice(8)}`;
}

export function checkSessionSignature(sessionKey: string): string {
  return createHmac('sha256', Buffer.from(sessionKey, 'utf8')).update('').digest('hex');
}
