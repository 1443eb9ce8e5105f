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
import { clearFaults, injectFault, mintOauthCode } from '../../test/support/wechat';
import { loadAppConfig } from '../config/app-config';
import type { WechatApp } from '../config/wechat-apps';
import { WechatApiClient } from './wechat-api.client';
import { WechatOauthClient } from './wechat-oauth.client';
import { Metrics } from '../metrics/metrics';

/* The web login against the real emulator over HTTP: codes minted as WeChat's OAuth page would. */

const OFFICIAL_ACCOUNT: WechatApp = {
  appId: 'wx00000000000000aa',
  secret: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  type: 'official_account',
};
const WEBSITE: WechatApp = {
  appId: 'wx00000000000000bb',
  secret: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  type: 'website',
};
const MINI_PROGRAM: WechatApp = { appId: DEV_APP_ID, secret: DEV_APP_SECRET, type: 'miniprogram' };
const TOKEN_PATH = '/sns/oauth2/access_token';
const USERINFO_PATH = '/sns/userinfo';

let emulator: RunningEmulator;
let oauth: WechatOauthClient;
/** Every web access and refresh token WeChat handed out, to prove none reaches a log line. */
const webTokens: string[] = [];
const logLines: string[] = [];
const captureLogger: LoggerService = {
  log: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  error: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  warn: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  debug: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  verbose: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
};

async function calls(path: string): Promise<number> {
  const stats = await call<{ calls: Record<string, number> }>(`${emulator.url}/__emulator/stats`);
  return stats.body.calls[path] ?? 0;
}

beforeAll(async () => {
  Logger.overrideLogger(captureLogger);
  emulator = await startWechatEmulator({
    apps: [
      { appId: MINI_PROGRAM.appId, appSecret: MINI_PROGRAM.secret },
      {
        appId: OFFICIAL_ACCOUNT.appId,
        appSecret: OFFICIAL_ACCOUNT.secret,
        type: 'official_account',
      },
      { appId: WEBSITE.appId, appSecret: WEBSITE.secret, type: 'website' },
    ],
  });
  const config = loadAppConfig({
    NODE_ENV: 'test',
    WECHAT_API_BASE_URL: emulator.url,
    WECHAT_TIMEOUT_MS: '1000',
  });
  const http = axios.create();
  http.interceptors.response.use((response) => {
    if (String(response.config.url).includes(TOKEN_PATH)) {
      const body = JSON.parse(String(response.data)) as Record<string, unknown>;
      for (const key of ['access_token', 'refresh_token']) {
        if (typeof body[key] === 'string') webTokens.push(body[key]);
      }
    }
    return response;
  });
  oauth = new WechatOauthClient(new WechatApiClient(new HttpService(http), config, new Metrics()));
});

afterEach(async () => {
  await clearFaults(emulator.url);
});

afterAll(async () => {
  await emulator.close();
  Logger.overrideLogger(new ConsoleLogger());
  const logs = logLines.join('\n');
  expect(webTokens.length).toBeGreaterThan(10);
  for (const token of webTokens) expect(logs).not.toContain(token);
  // Neither WeChat's web tokens nor any query string (codes, secrets) reach a log line.
  expect(logs).not.toMatch(/access_token=|refresh_token|secret|code=|\?/);
  expect(logs).not.toContain(OFFICIAL_ACCOUNT.secret);
  expect(logs).not.toContain(WEBSITE.secret);
});

describe('WechatOauthClient.exchange', () => {
  it('snsapi_userinfo: the openid, unionid and profile, and nothing of the web tokens', async () => {
    const minted = await mintOauthCode(emulator.url, {
      appId: OFFICIAL_ACCOUNT.appId,
      scope: 'snsapi_userinfo',
      unionid: 'u-oauth-spec-1',
      nickname: '小明😀',
      headimgurl: 'https://thirdwx.qlogo.cn/mmopen/a.png',
    });

    await expect(oauth.exchange(OFFICIAL_ACCOUNT, minted.code)).resolves.toEqual({
      openid: minted.openid,
      unionid: 'u-oauth-spec-1',
      scope: 'snsapi_userinfo',
      profile: { nickname: '小明😀', avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/a.png' },
    });
  });

  it('snsapi_base: who the user is, without asking /sns/userinfo', async () => {
    const minted = await mintOauthCode(emulator.url, {
      appId: OFFICIAL_ACCOUNT.appId,
      scope: 'snsapi_base',
      unionid: null,
    });
    const before = await calls(USERINFO_PATH);

    const grant = await oauth.exchange(OFFICIAL_ACCOUNT, minted.code);
    expect(grant).toEqual({ openid: minted.openid, scope: 'snsapi_base' });
    expect(await calls(USERINFO_PATH)).toBe(before);
  });

  it('website (snsapi_login): always a unionid, and the profile', async () => {
    const minted = await mintOauthCode(emulator.url, {
      appId: WEBSITE.appId,
      nickname: 'Web user',
    });

    const grant = await oauth.exchange(WEBSITE, minted.code);
    expect(grant).toMatchObject({
      openid: minted.openid,
      unionid: minted.unionid,
      scope: 'snsapi_login',
      profile: { nickname: 'Web user', avatarUrl: expect.stringMatching(/^https:\/\//) },
    });
    expect(minted.unionid).toEqual(expect.any(String));
  });

  it("refuses the snapshot page's virtual user with WECHAT_SNAPSHOT_USER", async () => {
    const minted = await mintOauthCode(emulator.url, {
      appId: OFFICIAL_ACCOUNT.appId,
      snapshot: true,
    });

    const error = await apiExceptionOf(oauth.exchange(OFFICIAL_ACCOUNT, minted.code));
    expect(error.code).toBe('WECHAT_SNAPSHOT_USER');
    expect(error.getStatus()).toBe(403);
  });

  it('a used, unknown or other app’s code is WECHAT_CODE_INVALID', async () => {
    const minted = await mintOauthCode(emulator.url, { appId: OFFICIAL_ACCOUNT.appId });
    await oauth.exchange(OFFICIAL_ACCOUNT, minted.code);
    expect((await apiExceptionOf(oauth.exchange(OFFICIAL_ACCOUNT, minted.code))).code).toBe(
      'WECHAT_CODE_INVALID',
    );
    expect((await apiExceptionOf(oauth.exchange(OFFICIAL_ACCOUNT, 'no-such-code'))).code).toBe(
      'WECHAT_CODE_INVALID',
    );
    const websiteCode = await mintOauthCode(emulator.url, { appId: WEBSITE.appId });
    expect((await apiExceptionOf(oauth.exchange(OFFICIAL_ACCOUNT, websiteCode.code))).code).toBe(
      'WECHAT_CODE_INVALID',
    );
  });

  it('a wrong secret is WECHAT_MISCONFIGURED naming the app, never the secret', async () => {
    const minted = await mintOauthCode(emulator.url, { appId: OFFICIAL_ACCOUNT.appId });
    const wrong = { ...OFFICIAL_ACCOUNT, secret: 'cccccccccccccccccccccccccccccccc' };

    const error = await apiExceptionOf(oauth.exchange(wrong, minted.code));
    expect(error.code).toBe('WECHAT_MISCONFIGURED');
    expect(error.message).toContain(OFFICIAL_ACCOUNT.appId);
    expect(error.message).not.toContain(wrong.secret);
  });

  it.each([
    [40029, 'WECHAT_CODE_INVALID', 401],
    [40163, 'WECHAT_CODE_INVALID', 401],
    [41008, 'WECHAT_CODE_INVALID', 401],
    [40226, 'WECHAT_USER_BLOCKED', 403],
    [45011, 'WECHAT_RATE_LIMITED', 429],
    [40013, 'WECHAT_MISCONFIGURED', 502],
    [40125, 'WECHAT_MISCONFIGURED', 502],
    [99999, 'INTERNAL', 500],
  ])('errcode %i maps as for the mini-program login: %s', async (errcode, code, status) => {
    const minted = await mintOauthCode(emulator.url, { appId: OFFICIAL_ACCOUNT.appId });
    await injectFault(emulator.url, { path: TOKEN_PATH, type: 'errcode', errcode });

    const error = await apiExceptionOf(oauth.exchange(OFFICIAL_ACCOUNT, minted.code));
    expect([error.code, error.getStatus()]).toEqual([code, status]);
  });

  it('retries a busy WeChat once, then answers WECHAT_UNAVAILABLE', async () => {
    const minted = await mintOauthCode(emulator.url, { appId: OFFICIAL_ACCOUNT.appId });
    await injectFault(emulator.url, { path: TOKEN_PATH, type: 'errcode', errcode: -1 });
    await expect(oauth.exchange(OFFICIAL_ACCOUNT, minted.code)).resolves.toMatchObject({
      openid: minted.openid,
    });

    const next = await mintOauthCode(emulator.url, { appId: OFFICIAL_ACCOUNT.appId });
    await injectFault(emulator.url, { path: TOKEN_PATH, type: 'errcode', errcode: -1, times: 2 });
    expect((await apiExceptionOf(oauth.exchange(OFFICIAL_ACCOUNT, next.code))).code).toBe(
      'WECHAT_UNAVAILABLE',
    );
  });

  it.each([
    ['errcode 40001', { type: 'errcode', errcode: 40001 }],
    ['errcode 40003', { type: 'errcode', errcode: 40003 }],
    ['HTTP 500 twice', { type: 'http500', times: 2 }],
    ['a body that is not JSON', { type: 'nonjson' }],
  ] as const)(
    'a failed /sns/userinfo (%s) leaves the profile out, not the login',
    async (_name, fault) => {
      const minted = await mintOauthCode(emulator.url, {
        appId: OFFICIAL_ACCOUNT.appId,
        scope: 'snsapi_userinfo',
      });
      await injectFault(emulator.url, { path: USERINFO_PATH, ...fault });
      logLines.length = 0;

      await expect(oauth.exchange(OFFICIAL_ACCOUNT, minted.code)).resolves.toEqual({
        openid: minted.openid,
        scope: 'snsapi_userinfo',
        ...(minted.unionid === null ? {} : { unionid: minted.unionid }),
      });
      const warning = logLines.find((line) =>
        line.includes('Web login proceeds without the profile'),
      );
      expect(warning).toContain(USERINFO_PATH);
      if (fault.type === 'errcode') expect(warning).toContain(`"errcode":${fault.errcode}`);
    },
  );

  it('leaves out a nickname or avatar that our own profile rules refuse', async () => {
    const minted = await mintOauthCode(emulator.url, {
      appId: OFFICIAL_ACCOUNT.appId,
      nickname: 'bell\u0007',
      headimgurl: 'javascript:alert(1)',
    });

    const grant = await oauth.exchange(OFFICIAL_ACCOUNT, minted.code);
    expect(grant.profile).toBeUndefined();
  });

  it('a mini-program has no web login: WeChat refuses its app id', async () => {
    const error = await apiExceptionOf(oauth.exchange(MINI_PROGRAM, 'any-code'));
    expect(error.code).toBe('WECHAT_MISCONFIGURED');
  });
});
