import { randomBytes } from 'node:crypto';
import { DEV_APP_ID } from '../../emulator/wechat-emulator';
import { call } from './http';
import type { TestStack } from './stack';
import { mintLoginCode } from './wechat';

/** A second mini-program, for an account with two identities. */
export const SECOND_APP = { appId: 'wx00000000000000b2', secret: '2'.repeat(32) };

/** Service and emulator settings for a stack that knows SECOND_APP and believes X-Forwarded-For. */
export const RICH_ACCOUNT_ENV = {
  TRUST_PROXY: 'true',
  WECHAT_APPS: JSON.stringify([{ ...SECOND_APP, type: 'miniprogram' }]),
};
export const RICH_ACCOUNT_EMULATOR = {
  apps: [
    { appId: DEV_APP_ID, appSecret: '0123456789abcdef0123456789abcdef' },
    { appId: SECOND_APP.appId, appSecret: SECOND_APP.secret },
  ],
};

export interface RichAccount {
  accountId: number;
  /** Live tokens of the first identity's newest session and of the second identity. */
  accessToken: string;
  refreshToken: string;
  secondAccessToken: string;
  secondRefreshToken: string;
  openids: string[];
  unionid: string;
  phone: string;
  nickname: string;
  avatarUrl: string;
  ips: string[];
  userAgents: string[];
  /** WeChat session keys and every refresh token ever issued: secrets no answer may show. */
  secrets: string[];
}

/**
 * An account as a person leaves it after some use, every value distinctive so that a scan of
 * the database finds it: two identities (two apps, one unionid), a profile, a phone, several
 * logins from different IPs and user agents, a logged-out session and a rotated one.
 */
export async function createRichAccount(stack: TestStack): Promise<RichAccount> {
  const tag = randomBytes(4).toString('hex');
  const unionid = `u-rich-${tag}`;
  const nickname = `Rich-${tag}-小明😀`;
  const avatarUrl = `https://thirdwx.qlogo.cn/rich-${tag}.png`;
  const phone = `139${String(parseInt(tag, 16) % 1e8).padStart(8, '0')}`;
  const [a, b] = [parseInt(tag.slice(0, 2), 16), parseInt(tag.slice(2, 4), 16)];
  const ips = [1, 2, 3, 4].map((n) => `10.${a}.${b}.${100 + n}`);
  const userAgents = [1, 2, 3, 4].map((n) => `RichAgent-${tag}/${n}`);
  const secrets: string[] = [];

  const login = async (n: number, options: { appId?: string; openid?: string }) => {
    const minted = await mintLoginCode(stack.emulator.url, { ...options, unionid });
    secrets.push(minted.sessionKey);
    const body: Record<string, unknown> = { code: minted.code };
    if (options.appId) body.appId = options.appId;
    if (n === 0) body.userInfo = { nickName: nickname, avatarUrl, gender: 1 };
    const answer = await call(`${stack.service.url}/auth/wechat/login`, {
      body,
      headers: { 'x-forwarded-for': ips[n], 'user-agent': userAgents[n] },
    });
    if (answer.status !== 200) throw new Error(`login failed: ${answer.text}`);
    secrets.push(answer.body.refreshToken);
    return answer.body as {
      accessToken: string;
      refreshToken: string;
      user: { id: number; openid: string };
    };
  };

  const first = await login(0, {});
  const loggedOut = await login(1, { openid: first.user.openid });
  await call(`${stack.service.url}/auth/logout`, { method: 'POST', token: loggedOut.accessToken });
  const rotating = await login(2, { openid: first.user.openid });
  const rotated = await call(`${stack.service.url}/auth/refresh`, {
    body: { refreshToken: rotating.refreshToken },
  });
  if (rotated.status !== 200) throw new Error(`refresh failed: ${rotated.text}`);
  secrets.push(rotated.body.refreshToken);
  const second = await login(3, { appId: SECOND_APP.appId });
  if (second.user.id !== first.user.id) throw new Error('the second identity did not join');

  const phoneCode = await call(`${stack.emulator.url}/__emulator/phone-code`, {
    body: { openid: first.user.openid, phoneNumber: phone },
  });
  const bound = await call(`${stack.service.url}/users/me/phone`, {
    token: rotated.body.accessToken,
    body: { code: phoneCode.body.code },
  });
  if (bound.status !== 200) throw new Error(`phone binding failed: ${bound.text}`);

  return {
    accountId: first.user.id,
    accessToken: rotated.body.accessToken,
    refreshToken: rotated.body.refreshToken,
    secondAccessToken: second.accessToken,
    secondRefreshToken: second.refreshToken,
    openids: [first.user.openid, second.user.openid],
    unionid,
    phone,
    nickname,
    avatarUrl,
    ips,
    userAgents,
    secrets,
  };
}
