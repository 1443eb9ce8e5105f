import { call } from './http';

export interface MintedCode {
  code: string;
  openid: string;
  unionid: string | null;
  sessionKey: string;
}

/** What wx.login() gives the mini-program: a one-time code, minted on the emulator. */
export async function mintLoginCode(
  emulatorUrl: string,
  options: { appId?: string; openid?: string; unionid?: string; sessionKey?: string } = {},
): Promise<MintedCode> {
  const result = await call<MintedCode>(`${emulatorUrl}/__emulator/login-code`, { body: options });
  if (result.status !== 200) throw new Error(`emulator refused to mint a code: ${result.text}`);
  return result.body;
}

export async function injectFault(
  emulatorUrl: string,
  fault: {
    path: string;
    type: 'errcode' | 'http500' | 'delay' | 'nonjson' | 'html' | 'drop' | 'empty';
    errcode?: number;
    times?: number;
    always?: boolean;
    delayMs?: number;
  },
): Promise<void> {
  const result = await call(`${emulatorUrl}/__emulator/faults`, { body: fault });
  if (result.status !== 200) throw new Error(`emulator refused the fault: ${result.text}`);
}

export async function clearFaults(emulatorUrl: string): Promise<void> {
  await call(`${emulatorUrl}/__emulator/faults`, { method: 'DELETE' });
}

export interface MintedOauthCode {
  code: string;
  openid: string;
  unionid: string | null;
  scope: 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';
}

/**
 * What WeChat's OAuth page hands an Official Account page or a website after the user agreed:
 * a one-time web code, minted on the emulator for an `official_account` or `website` app.
 */
export async function mintOauthCode(
  emulatorUrl: string,
  options: {
    appId: string;
    openid?: string;
    /** null: a user without a unionid (an app not bound to an Open Platform account). */
    unionid?: string | null;
    scope?: MintedOauthCode['scope'];
    snapshot?: boolean;
    nickname?: string;
    headimgurl?: string;
  },
): Promise<MintedOauthCode> {
  const result = await call<MintedOauthCode>(`${emulatorUrl}/__emulator/oauth-code`, {
    body: options,
  });
  if (result.status !== 200) throw new Error(`emulator refused to mint a web code: ${result.text}`);
  return result.body;
}

/** From now on msg_sec_check gives content containing `contains` this verdict. */
export async function addContentRule(
  emulatorUrl: string,
  rule: { contains: string; suggest: 'review' | 'risky'; label?: number },
): Promise<void> {
  const result = await call(`${emulatorUrl}/__emulator/content-rules`, { body: rule });
  if (result.status !== 200) throw new Error(`emulator refused the content rule: ${result.text}`);
}

export async function clearContentRules(emulatorUrl: string): Promise<void> {
  await call(`${emulatorUrl}/__emulator/content-rules`, { method: 'DELETE' });
}
