import { createDecipheriv } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';

/** What a mini-program hands over from wx.getPhoneNumber, wx.getUserInfo & co. */
export interface EncryptedWechatData {
  encryptedData: string;
  iv: string;
}

const BLOCK_BYTES = 16;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// The usual failure in the field: the key was replaced between WeChat encrypting and us decrypting.
const STALE_KEY =
  'it does not decrypt with the session key stored for this user. Most likely the mini-program ' +
  'called wx.login() again after WeChat produced this data, which replaced the session key: call ' +
  'wx.checkSession() / log in again first, then get the data anew (or the data was altered in transit)';

const failed = (message: string) => new ApiException('WECHAT_DECRYPT_FAILED', message);

/**
 * Decodes canonical, padded, standard base64 only. Node's decoder silently skips characters
 * it does not know and accepts missing padding, which would turn garbage into bytes.
 */
function strictBase64(value: string, name: string): Buffer {
  const bytes = STANDARD_BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
  if (!bytes || bytes.length === 0 || bytes.toString('base64') !== value) {
    throw failed(`${name} is not valid base64`);
  }
  return bytes;
}

function sixteenBytes(value: string, name: string, hint: string): Buffer {
  const bytes = strictBase64(value, name);
  if (bytes.length !== BLOCK_BYTES) {
    throw failed(
      `${name} must be base64 of 16 bytes (24 characters), not ${bytes.length}; ${hint}`,
    );
  }
  return bytes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * WeChat's encrypted user data: AES-128-CBC with PKCS#7 padding, key = the user's session key,
 * plaintext a JSON object whose watermark.appid names the app it was made for. Every way it
 * can fail is WECHAT_DECRYPT_FAILED, with the likely cause in the message.
 */
export function decryptWechatData(
  input: EncryptedWechatData,
  sessionKey: string,
  appId: string,
): Record<string, unknown> {
  const key = sixteenBytes(sessionKey, 'the stored session key', 'log in again');
  const iv = sixteenBytes(input.iv, 'iv', 'send the iv WeChat returned with encryptedData');
  const ciphertext = strictBase64(input.encryptedData, 'encryptedData');
  if (ciphertext.length % BLOCK_BYTES !== 0) {
    throw failed('encryptedData is not a whole number of 16-byte blocks: it was truncated');
  }

  let bytes: Buffer;
  try {
    // OpenSSL checks every padding byte (strict PKCS#7) and throws on bad padding.
    const decipher = createDecipheriv('aes-128-cbc', key, iv);
    bytes = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw failed(`encryptedData has bad padding: ${STALE_KEY}`);
  }

  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw failed(`encryptedData decrypts to something that is not JSON: ${STALE_KEY}`);
  }
  if (!isObject(data)) {
    throw failed('encryptedData decrypts to JSON that is not an object');
  }
  const watermark = data['watermark'];
  if (!isObject(watermark) || typeof watermark['appid'] !== 'string') {
    throw failed('The decrypted data carries no watermark.appid, so it cannot be checked');
  }
  if (watermark['appid'] !== appId) {
    throw failed(
      "The decrypted data was produced for another mini-program (watermark.appid is not this server's app id)",
    );
  }
  return data;
}
