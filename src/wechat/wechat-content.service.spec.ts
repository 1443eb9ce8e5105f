import { HttpService } from '@nestjs/axios';
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
import { WechatContentService } from './wechat-content.service';
import { WechatStableTokenService } from './wechat-stable-token.service';
import { Metrics } from '../metrics/metrics';

/* The nickname check against the real emulator over HTTP; content rules stand in for WeChat's judgement. */

const APP: WechatApp = { appId: DEV_APP_ID, secret: DEV_APP_SECRET, type: 'miniprogram' };
const CHECK_PATH = '/wxa/msg_sec_check';

let emulator: RunningEmulator;
let content: WechatContentService;
let openid: string;

async function contentRule(contains: string, suggest: 'risky' | 'review'): Promise<void> {
  const result = await call(`${emulator.url}/__emulator/content-rules`, {
    body: { contains, suggest },
  });
  if (result.status !== 200) throw new Error(`emulator refused the rule: ${result.text}`);
}

async function stats(): Promise<{ calls: Record<string, number>; stableTokensIssued: number }> {
  return (await call(`${emulator.url}/__emulator/stats`)).body;
}

beforeAll(async () => {
  emulator = await startWechatEmulator();
  const config = loadAppConfig({
    NODE_ENV: 'test',
    WECHAT_API_BASE_URL: emulator.url,
    WECHAT_TIMEOUT_MS: '1000',
  });
  const client = new WechatApiClient(new HttpService(axios.create()), config, new Metrics());
  content = new WechatContentService(new WechatStableTokenService(client, new Metrics()));
  openid = (await mintLoginCode(emulator.url)).openid;
  await contentRule('赌博', 'risky');
  await contentRule('微信号', 'review');
});

afterEach(async () => {
  await clearFaults(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

describe('WechatContentService.checkNickname', () => {
  it('resolves on pass and on review (version 2, scene 1, with the openid)', async () => {
    await expect(content.checkNickname(APP, openid, '小明😀')).resolves.toBeUndefined();
    await expect(content.checkNickname(APP, openid, '加我微信号')).resolves.toBeUndefined();
  });

  it('rejects a risky nickname with CONTENT_REJECTED (400)', async () => {
    const error = await apiExceptionOf(content.checkNickname(APP, openid, '在线赌博'));
    expect([error.code, error.getStatus()]).toEqual(['CONTENT_REJECTED', 400]);
  });

  it('an openid WeChat does not know is not resolved unchecked', async () => {
    const error = await apiExceptionOf(content.checkNickname(APP, 'o-unknown-openid', '小明'));
    expect(error.code).toBe('WECHAT_UNAVAILABLE');
    expect(error.message).toContain('40003');
  });

  it.each([
    ['busy twice', 'WECHAT_UNAVAILABLE', { type: 'errcode', errcode: -1, times: 2 }],
    ['HTTP 500 twice', 'WECHAT_UNAVAILABLE', { type: 'http500', times: 2 }],
    ['a body that is not JSON', 'WECHAT_UNAVAILABLE', { type: 'nonjson' }],
    ['errcode 0 without a result', 'WECHAT_UNAVAILABLE', { type: 'errcode', errcode: 0 }],
    ['61010 (user not seen lately)', 'WECHAT_UNAVAILABLE', { type: 'errcode', errcode: 61010 }],
    ['45011', 'WECHAT_RATE_LIMITED', { type: 'errcode', errcode: 45011 }],
    ['an errcode nobody documents', 'INTERNAL', { type: 'errcode', errcode: 99999 }],
  ] as const)('a failure (%s) throws %s, never resolves', async (_name, code, fault) => {
    await injectFault(emulator.url, { path: CHECK_PATH, ...fault });
    expect((await apiExceptionOf(content.checkNickname(APP, openid, '小明'))).code).toBe(code);
  });

  it('retries once with a fresh stable token when WeChat drops the old one', async () => {
    await content.checkNickname(APP, openid, '小明');
    await call(`${emulator.url}/__emulator/access-token/invalidate`, { body: { as: 40001 } });
    const before = await stats();
    await expect(content.checkNickname(APP, openid, '小红')).resolves.toBeUndefined();
    const after = await stats();
    expect(after.stableTokensIssued - before.stableTokensIssued).toBe(1);
    expect(after.calls[CHECK_PATH] - before.calls[CHECK_PATH]).toBe(2);
  });
});
