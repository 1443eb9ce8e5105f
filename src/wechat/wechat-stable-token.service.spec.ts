import { HttpService } from '@nestjs/axios';
import { ConsoleLogger, Logger, LoggerService } from '@nestjs/common';
import axios from 'axios';
import {
  DEV_APP_ID,
  DEV_APP_SECRET,
  RunningEmulator,
  startWechatEmulator,
} from '../../emulator/wechat-emulator';
import { apiExceptionOf } from '../../test/support/errors';
import { call } from '../../test/support/http';
import { clearFaults, injectFault, mintLoginCode } from '../../test/support/wechat';
import { loadAppConfig } from '../config/app-config';
import type { WechatApp } from '../config/wechat-apps';
import { WechatApiClient } from './wechat-api.client';
import { WechatPhoneService } from './wechat-phone.service';
import { WechatStableTokenService } from './wechat-stable-token.service';
import { Metrics } from '../metrics/metrics';

/* Stable tokens of two mini-programs, used through the phone exchange, against the real emulator. */

const FIRST: WechatApp = { appId: DEV_APP_ID, secret: DEV_APP_SECRET, type: 'miniprogram' };
const SECOND: WechatApp = {
  appId: 'wx00000000000000cc',
  secret: 'cccccccccccccccccccccccccccccccc',
  type: 'miniprogram',
};
const STABLE_TOKEN = '/cgi-bin/stable_token';

interface Stats {
  calls: Record<string, number>;
  apps: Record<string, { stableTokensIssued: number; currentStableToken: string | null }>;
}

let emulator: RunningEmulator;
let client: WechatApiClient;
let tokens: WechatStableTokenService;
let phones: WechatPhoneService;
const logLines: string[] = [];
const captureLogger: LoggerService = {
  log: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  error: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  warn: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  debug: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  verbose: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
};

async function control<T>(path: string, body?: unknown): Promise<T> {
  const result = await call<T>(`${emulator.url}/__emulator/${path}`, { body });
  if (result.status !== 200) throw new Error(`emulator refused ${path}: ${result.text}`);
  return result.body;
}

/** Binds a phone number of `app` for a new user of it: one call with the app's stable token. */
async function exchangePhone(app: WechatApp, phoneNumber = '13800138000', service = phones) {
  const { openid } = await mintLoginCode(emulator.url, { appId: app.appId });
  const { code } = await control<{ code: string }>('phone-code', {
    appId: app.appId,
    openid,
    phoneNumber,
  });
  return service.exchange(app, code, openid);
}

const stats = () => control<Stats>('stats');
const issued = (s: Stats, app: WechatApp) => s.apps[app.appId].stableTokensIssued;

beforeAll(async () => {
  Logger.overrideLogger(captureLogger);
  emulator = await startWechatEmulator({
    apps: [
      { appId: FIRST.appId, appSecret: FIRST.secret },
      { appId: SECOND.appId, appSecret: SECOND.secret },
    ],
  });
  const config = loadAppConfig({
    NODE_ENV: 'test',
    WECHAT_API_BASE_URL: emulator.url,
    WECHAT_TIMEOUT_MS: '1000',
  });
  client = new WechatApiClient(new HttpService(axios.create()), config, new Metrics());
  tokens = new WechatStableTokenService(client, new Metrics());
  phones = new WechatPhoneService(tokens);
});

afterEach(async () => {
  await clearFaults(emulator.url);
});

afterAll(async () => {
  const { apps } = await stats();
  await emulator.close();
  Logger.overrideLogger(new ConsoleLogger());
  const logs = logLines.join('\n');
  expect(logs).toContain('Fetched a WeChat stable token');
  for (const app of [FIRST, SECOND]) {
    expect(logs).not.toContain(app.secret);
    expect(apps[app.appId].currentStableToken).toEqual(expect.any(String));
    expect(logs).not.toContain(apps[app.appId].currentStableToken);
  }
});

describe('WechatStableTokenService: one token per app', () => {
  it("each app's calls use that app's token, fetched once and then cached", async () => {
    const before = await stats();
    await expect(exchangePhone(FIRST)).resolves.toEqual({
      phoneNumber: '13800138000',
      purePhoneNumber: '13800138000',
      countryCode: '86',
    });
    await exchangePhone(SECOND, '13900139000');
    await exchangePhone(FIRST);
    await exchangePhone(SECOND);
    const after = await stats();
    expect(issued(after, FIRST) - issued(before, FIRST)).toBe(1);
    expect(issued(after, SECOND) - issued(before, SECOND)).toBe(1);
    expect(after.calls[STABLE_TOKEN] - (before.calls[STABLE_TOKEN] ?? 0)).toBe(2);
  });

  it("an invalidated token of one app is fetched again; the other app's stays", async () => {
    await exchangePhone(FIRST);
    await exchangePhone(SECOND);
    await control('access-token/invalidate', { appId: SECOND.appId, as: 40001 });
    const before = await stats();

    await exchangePhone(SECOND);
    await exchangePhone(FIRST);
    const after = await stats();
    expect(issued(after, SECOND) - issued(before, SECOND)).toBe(1);
    expect(issued(after, FIRST) - issued(before, FIRST)).toBe(0);
  });

  it('a refused token fetch names the app, and is not cached', async () => {
    const wrong = { ...SECOND, secret: 'dddddddddddddddddddddddddddddddd' };
    const misconfigured = new WechatStableTokenService(client, new Metrics());
    const before = await stats();
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await apiExceptionOf(
        misconfigured.call(wrong, '/wxa/business/getuserphonenumber', {}),
      );
      expect(error.code).toBe('WECHAT_MISCONFIGURED');
      expect(error.message).toContain(SECOND.appId);
      expect(error.message).toContain('40001');
      expect(error.message).not.toContain(wrong.secret);
    }
    expect((await stats()).calls[STABLE_TOKEN] - before.calls[STABLE_TOKEN]).toBe(2);
  });

  it.each([
    [45009, 'WECHAT_UNAVAILABLE', 503],
    [40164, 'WECHAT_MISCONFIGURED', 502],
  ])('a token fetch refused with %i is %s', async (errcode, code, status) => {
    const withoutToken = new WechatPhoneService(
      new WechatStableTokenService(client, new Metrics()),
    );
    await injectFault(emulator.url, { path: STABLE_TOKEN, type: 'errcode', errcode });

    const error = await apiExceptionOf(exchangePhone(FIRST, undefined, withoutToken));
    expect([error.code, error.getStatus()]).toEqual([code, status]);
  });

  it('a phone code of another user is WECHAT_CODE_INVALID (the openid is sent along)', async () => {
    const owner = await mintLoginCode(emulator.url);
    const other = await mintLoginCode(emulator.url);
    const { code } = await control<{ code: string }>('phone-code', { openid: owner.openid });

    const error = await apiExceptionOf(phones.exchange(FIRST, code, other.openid));
    expect(error.code).toBe('WECHAT_CODE_INVALID');
    await expect(phones.exchange(FIRST, code, owner.openid)).resolves.toMatchObject({
      countryCode: '86',
    });
  });
});
