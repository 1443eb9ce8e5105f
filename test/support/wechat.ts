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
