import { createCipheriv, randomBytes } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { decryptWechatData } from './wechat-data-cipher';

// WeChat's official sample (the demo shipped with its "encrypted data" documentation).
const SAMPLE = {
  appId: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+' +
    '3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6' +
    '/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs' +
    '8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns' +
    '/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG' +
    '20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
};

const KEY = randomBytes(16);
const IV = randomBytes(16);
const APP_ID = 'wx1234567890abcdef';

/** AES-128-CBC of raw bytes; `pad` false leaves the padding to the caller. */
function encrypt(plaintext: Buffer, pad = true, key = KEY, iv = IV): string {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  cipher.setAutoPadding(pad);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const decrypt = (encryptedData: string, iv = IV.toString('base64'), key = KEY) =>
  decryptWechatData({ encryptedData, iv }, key.toString('base64'), APP_ID);

function failure(run: () => unknown): ApiException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException).code).toBe('WECHAT_DECRYPT_FAILED');
    expect((error as ApiException).getStatus()).toBe(400);
    return error as ApiException;
  }
  throw new Error('expected WECHAT_DECRYPT_FAILED');
}

describe('decryptWechatData', () => {
  it("decrypts WeChat's official sample", () => {
    const data = decryptWechatData(SAMPLE, SAMPLE.sessionKey, SAMPLE.appId);
    expect(data).toEqual({
      openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
      nickName: 'Band',
      gender: 1,
      language: 'zh_CN',
      city: 'Guangzhou',
      province: 'Guangdong',
      country: 'CN',
      avatarUrl:
        'http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0',
      unionId: 'ocMvos6NjeKLIBqg5Mr9QjxrP1FA',
      watermark: { timestamp: 1477314187, appid: 'wx4f4bc4dec97d474b' },
    });
  });

  it('refuses the official sample for another app id, naming the watermark', () => {
    const error = failure(() => decryptWechatData(SAMPLE, SAMPLE.sessionKey, APP_ID));
    expect(error.message).toMatch(/watermark\.appid/);
  });

  it('refuses the official sample under another session key and names the likely cause', () => {
    const error = failure(() =>
      decryptWechatData(SAMPLE, randomBytes(16).toString('base64'), SAMPLE.appId),
    );
    expect(error.message).toMatch(/wx\.login\(\) again/);
  });

  it('decrypts a JSON object with emoji and a matching watermark', () => {
    const value = { phoneNumber: '13800138000', note: '小明😀', watermark: { appid: APP_ID } };
    expect(decrypt(encrypt(json(value)))).toEqual(value);
  });

  describe('base64 and sizes', () => {
    const good = () => encrypt(json({ watermark: { appid: APP_ID } }));

    // One block: 16 bytes, so its base64 ends in "==" and its last character has unused bits.
    const oneBlock = encrypt(Buffer.from('{}'));
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const nonCanonical = (s: string) =>
      s.slice(0, -3) + ALPHABET[ALPHABET.indexOf(s.at(-3)!) + 1] + '==';

    it.each([
      ['characters outside base64', `${oneBlock.slice(0, -4)}!!==`],
      ['missing padding', oneBlock.replace(/=+$/, '')],
      ['the URL-safe alphabet', `-_${oneBlock.slice(2)}`],
      ['embedded whitespace', `${oneBlock.slice(0, 8)} ${oneBlock.slice(8)}`],
      ['a non-canonical last character', nonCanonical(oneBlock)],
      ['the empty string', ''],
    ])('refuses encryptedData with %s', (_name, encryptedData) => {
      expect(failure(() => decrypt(encryptedData)).message).toMatch(
        /encryptedData is not valid base64/,
      );
    });

    it('the non-canonical case is one Node itself would accept', () => {
      expect(Buffer.from(nonCanonical(oneBlock), 'base64')).toEqual(
        Buffer.from(oneBlock, 'base64'),
      );
    });

    it('refuses an iv of 15 or 17 bytes, and one that is not base64', () => {
      for (const iv of [randomBytes(15), randomBytes(17)]) {
        expect(failure(() => decrypt(good(), iv.toString('base64'))).message).toMatch(
          /iv must be base64 of 16 bytes/,
        );
      }
      expect(failure(() => decrypt(good(), '%%%%%%%%%%%%%%%%%%%%%%==')).message).toMatch(
        /iv is not valid base64/,
      );
    });

    it('refuses a stored session key that is not 16 bytes', () => {
      const error = failure(() =>
        decryptWechatData({ encryptedData: good(), iv: IV.toString('base64') }, 'abc', APP_ID),
      );
      expect(error.message).toMatch(/session key/);
    });

    it('refuses a ciphertext that is not whole blocks', () => {
      const bytes = Buffer.from(good(), 'base64');
      const error = failure(() => decrypt(bytes.subarray(0, bytes.length - 1).toString('base64')));
      expect(error.message).toMatch(/16-byte blocks/);
    });
  });

  describe('padding', () => {
    const body = Buffer.from('{"watermark":{"appid":"wx1234567890abcdef"}}', 'utf8'); // 44 bytes

    it('accepts correct PKCS#7 padding applied by hand', () => {
      const padded = Buffer.concat([body, Buffer.alloc(4, 4)]);
      expect(decrypt(encrypt(padded, false))).toEqual({ watermark: { appid: APP_ID } });
    });

    it.each([
      ['a pad byte of 0', Buffer.from([1, 2, 3, 0])],
      ['a pad length over 16', Buffer.from([17, 17, 17, 17])],
      ['pad bytes that disagree', Buffer.from([4, 3, 4, 4])],
      ['a pad length longer than the block', Buffer.from([0, 0, 0, 32])],
    ])('refuses %s', (_name, tail) => {
      const error = failure(() => decrypt(encrypt(Buffer.concat([body, tail]), false)));
      expect(error.message).toMatch(/bad padding/);
    });

    it('refuses a ciphertext that lost its last block', () => {
      const bytes = Buffer.from(
        encrypt(Buffer.concat([body, Buffer.alloc(4, 4)]), false),
        'base64',
      );
      const truncated = bytes.subarray(0, bytes.length - 16).toString('base64');
      failure(() => decrypt(truncated));
    });
  });

  describe('plaintext', () => {
    it.each([
      ['not JSON', Buffer.from('hello, world'), /not JSON/],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not JSON/],
      ['a JSON array', json([{ watermark: { appid: APP_ID } }]), /not an object/],
      ['JSON null', json(null), /not an object/],
      ['an object without watermark', json({ openId: 'x' }), /no watermark/],
      ['a watermark without appid', json({ watermark: { timestamp: 1 } }), /no watermark/],
      ['a numeric watermark appid', json({ watermark: { appid: 1 } }), /no watermark/],
      ['a foreign watermark', json({ watermark: { appid: 'wx0000000000000000' } }), /another/],
    ])('refuses %s', (_name, plaintext, message) => {
      expect(failure(() => decrypt(encrypt(plaintext))).message).toMatch(message);
    });
  });
});
