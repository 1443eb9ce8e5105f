import { HttpService } from '@nestjs/axios';
import { ConsoleLogger, Logger, LoggerService } from '@nestjs/common';
import axios from 'axios';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiException } from '../common/errors/api.exception';
import { loadAppConfig } from '../config/app-config';
import type { WechatApp } from '../config/wechat-apps';
import { WechatApiClient } from './wechat-api.client';
import { WechatErrcodeError } from './wechat-errors';
import { Metrics } from '../metrics/metrics';
import { apiExceptionOf } from '../../test/support/errors';

/*
 * Not a pure unit test: the client talks HTTP to a tiny real server in this file, so timeouts,
 * resets and refused connections are the real thing. Each test says what the server answers,
 * one step per request; the last step repeats.
 */

const APP_ID = 'wxspecappid0000001';
const APP_SECRET = 'spec-app-secret-must-never-leak-0';
const APP: WechatApp = { appId: APP_ID, secret: APP_SECRET, type: 'miniprogram' };
const TIMEOUT_MS = 300;

interface Reply {
  status?: number;
  contentType?: string;
  body: string;
  delayMs?: number;
}
type Step = Reply | 'destroy';

/** WeChat's /sns/* style: JSON sent as text/plain. */
const json = (value: unknown): Reply => ({
  contentType: 'text/plain',
  body: JSON.stringify(value),
});
const SUCCESS = { openid: 'o-spec-openid', session_key: 'c2Vzc2lvbi1rZXktMTY=', unionid: 'u-spec' };

let server: Server;
let baseUrl: string;
let steps: Step[] = [];
let requests: Array<{ method: string; url: URL }> = [];
const logLines: string[] = [];

function answer(...script: Step[]): void {
  steps = script;
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  requests.push({ method: request.method ?? '', url: new URL(request.url ?? '/', baseUrl) });
  const step = steps.length > 1 ? steps.shift()! : steps[0];
  if (step === 'destroy') {
    request.socket.destroy();
    return;
  }
  const send = () => {
    // No keep-alive: a pooled socket closed between tests would cost a test its one retry.
    response.writeHead(step.status ?? 200, {
      'content-type': step.contentType ?? 'text/plain',
      connection: 'close',
    });
    response.end(step.body);
  };
  if (step.delayMs) setTimeout(send, step.delayMs).unref();
  else send();
}

function clientFor(url: string, timeoutMs = TIMEOUT_MS): WechatApiClient {
  const config = loadAppConfig({
    NODE_ENV: 'test',
    WECHAT_API_BASE_URL: url,
    WECHAT_TIMEOUT_MS: String(timeoutMs),
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: APP_SECRET,
  });
  return new WechatApiClient(new HttpService(axios.create()), config, new Metrics());
}

/** The error a call failed with, checked for the secret on the way. */
async function failure(call: Promise<unknown>): Promise<ApiException> {
  const exception = await apiExceptionOf(call);
  expect(exception.message).not.toContain(APP_SECRET);
  expect(JSON.stringify(exception.getResponse())).not.toContain(APP_SECRET);
  return exception;
}

/** Records what the client logs, to prove the secret never reaches a log line. */
const captureLogger: LoggerService = {
  log: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  error: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  warn: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  debug: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
  verbose: (...args: unknown[]) => logLines.push(JSON.stringify(args)),
};

describe('WechatApiClient against a real HTTP server', () => {
  let client: WechatApiClient;

  beforeAll(async () => {
    Logger.overrideLogger(captureLogger);
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = clientFor(baseUrl);
  });

  beforeEach(() => {
    requests = [];
    steps = [];
  });

  afterEach(() => {
    server.closeAllConnections();
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    Logger.overrideLogger(new ConsoleLogger());
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(APP_SECRET);
  });

  describe('code2Session', () => {
    it('sends the code with the credentials and reads a text/plain JSON answer', async () => {
      answer(json(SUCCESS));

      await expect(client.code2Session(APP, 'the-code')).resolves.toEqual({
        openid: SUCCESS.openid,
        sessionKey: SUCCESS.session_key,
        unionid: SUCCESS.unionid,
      });
      expect(requests).toHaveLength(1);
      const [{ method, url }] = requests;
      expect(method).toBe('GET');
      expect(url.pathname).toBe('/sns/jscode2session');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        appid: APP_ID,
        secret: APP_SECRET,
        js_code: 'the-code',
        grant_type: 'authorization_code',
      });
    });

    it('accepts a success that carries errcode 0, and leaves out an absent unionid', async () => {
      answer({
        contentType: 'application/json',
        body: JSON.stringify({ errcode: 0, errmsg: 'ok', openid: 'o1', session_key: 'k1' }),
      });

      const session = await client.code2Session(APP, 'c');
      expect(session).toEqual({ openid: 'o1', sessionKey: 'k1' });
      expect('unionid' in session).toBe(false);
    });

    it('treats a success without openid or session_key as WECHAT_UNAVAILABLE', async () => {
      answer(json({ openid: 'o1' }));
      expect((await failure(client.code2Session(APP, 'c'))).code).toBe('WECHAT_UNAVAILABLE');
      answer(json({ session_key: 'k1', openid: '' }));
      expect((await failure(client.code2Session(APP, 'c'))).code).toBe('WECHAT_UNAVAILABLE');
    });

    it.each([
      [40029, 'WECHAT_CODE_INVALID', 401],
      [40163, 'WECHAT_CODE_INVALID', 401],
      [40226, 'WECHAT_USER_BLOCKED', 403],
      [45011, 'WECHAT_RATE_LIMITED', 429],
      [40013, 'WECHAT_MISCONFIGURED', 502],
      [40125, 'WECHAT_MISCONFIGURED', 502],
      [41002, 'WECHAT_MISCONFIGURED', 502],
      [41004, 'WECHAT_MISCONFIGURED', 502],
      [40164, 'WECHAT_MISCONFIGURED', 502],
      [40243, 'WECHAT_MISCONFIGURED', 502],
      [12345, 'INTERNAL', 500],
    ])('answers errcode %i with %s (%i) after one call', async (errcode, code, status) => {
      answer(json({ errcode, errmsg: `error, rid: 66c69111-${errcode}` }));

      const error = await failure(client.code2Session(APP, 'c'));
      expect(error.code).toBe(code);
      expect(error.getStatus()).toBe(status);
      expect(requests).toHaveLength(1);
    });

    it('names the app whose credentials WeChat refused', async () => {
      answer(json({ errcode: 40125, errmsg: 'invalid appsecret, rid: 1' }));
      const error = await failure(client.code2Session(APP, 'c'));
      expect(error.message).toContain(`app ${APP_ID}`);
    });

    it("exchanges the code with the given app's credentials, not the default's", async () => {
      answer(json(SUCCESS));
      const other: WechatApp = {
        appId: 'wx00000000000000ff',
        secret: 'other-secret-must-never-leak-0000',
        type: 'miniprogram',
      };
      await client.code2Session(other, 'c');
      expect(requests[0].url.searchParams.get('appid')).toBe(other.appId);
      expect(requests[0].url.searchParams.get('secret')).toBe(other.secret);
    });
  });

  describe('retries once', () => {
    it('after errcode -1, then succeeds', async () => {
      answer(json({ errcode: -1, errmsg: 'system error' }), json(SUCCESS));
      await expect(client.code2Session(APP, 'c')).resolves.toMatchObject({
        openid: SUCCESS.openid,
      });
      expect(requests).toHaveLength(2);
    });

    it('and gives up on a second errcode -1 with WECHAT_UNAVAILABLE', async () => {
      answer(json({ errcode: -1, errmsg: 'system error' }));
      const error = await failure(client.code2Session(APP, 'c'));
      expect(error.code).toBe('WECHAT_UNAVAILABLE');
      expect(error.getStatus()).toBe(503);
      expect(requests).toHaveLength(2);
    });

    it('after HTTP 500, then succeeds', async () => {
      answer({ status: 500, body: 'Internal Server Error' }, json(SUCCESS));
      await expect(client.code2Session(APP, 'c')).resolves.toMatchObject({
        openid: SUCCESS.openid,
      });
      expect(requests).toHaveLength(2);
    });

    it('and gives up on a second HTTP 5xx with WECHAT_UNAVAILABLE', async () => {
      answer({ status: 502, contentType: 'text/html', body: '<html>Bad Gateway</html>' });
      expect((await failure(client.code2Session(APP, 'c'))).code).toBe('WECHAT_UNAVAILABLE');
      expect(requests).toHaveLength(2);
    });

    it('after a connection dropped mid-request, then succeeds', async () => {
      answer('destroy', json(SUCCESS));
      await expect(client.code2Session(APP, 'c')).resolves.toMatchObject({
        openid: SUCCESS.openid,
      });
      expect(requests).toHaveLength(2);
    });

    it('and gives up on a second dropped connection with WECHAT_UNAVAILABLE', async () => {
      answer('destroy');
      expect((await failure(client.code2Session(APP, 'c'))).code).toBe('WECHAT_UNAVAILABLE');
      expect(requests).toHaveLength(2);
    });
  });

  describe('a body that is not WeChat JSON is WECHAT_UNAVAILABLE, without a retry', () => {
    it.each<[string, Step]>([
      ['plain text', { body: 'hello' }],
      ['an HTML page', { contentType: 'text/html', body: '<html><body>blocked</body></html>' }],
      ['an empty body', { body: '' }],
      ['a JSON array', json([SUCCESS])],
      ['JSON null', json(null)],
      ['a string errcode', json({ errcode: '40029', errmsg: 'invalid code' })],
      ['a 404 with JSON', { status: 404, body: JSON.stringify(SUCCESS) }],
    ])('%s', async (_name, step) => {
      answer(step);
      const error = await failure(client.code2Session(APP, 'c'));
      expect(error.code).toBe('WECHAT_UNAVAILABLE');
      expect(requests).toHaveLength(1);
    });
  });

  it('answers a slow WeChat with WECHAT_UNAVAILABLE within the timeout, without a retry', async () => {
    answer({ ...json(SUCCESS), delayMs: TIMEOUT_MS + 2000 });

    const started = Date.now();
    const error = await failure(client.code2Session(APP, 'c'));
    const elapsed = Date.now() - started;

    expect(error.code).toBe('WECHAT_UNAVAILABLE');
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000);
    // A retry would have come 100 ms after the first failure.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests).toHaveLength(1);
  });

  describe('one WECHAT_TIMEOUT_MS for a call and its retry', () => {
    const timeoutMs = 1000;
    const slowClient = () => clientFor(baseUrl, timeoutMs);

    it('a late busy answer leaves the retry only what is left', async () => {
      answer(
        { ...json({ errcode: -1, errmsg: 'system error' }), delayMs: 300 },
        {
          ...json(SUCCESS),
          delayMs: timeoutMs + 2000,
        },
      );

      const started = Date.now();
      const error = await failure(slowClient().code2Session(APP, 'c'));
      const elapsed = Date.now() - started;

      expect(error.code).toBe('WECHAT_UNAVAILABLE');
      expect(requests).toHaveLength(2);
      expect(elapsed).toBeLessThan(timeoutMs + 150);
    });

    it('no retry is started with almost no time left', async () => {
      answer({ ...json({ errcode: -1, errmsg: 'system error' }), delayMs: timeoutMs - 100 });

      const error = await failure(slowClient().code2Session(APP, 'c'));

      expect(error.code).toBe('WECHAT_UNAVAILABLE');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requests).toHaveLength(1);
    });
  });

  it('answers a refused connection with WECHAT_UNAVAILABLE', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const started = Date.now();
    const error = await failure(clientFor(`http://127.0.0.1:${port}`).code2Session(APP, 'c'));
    expect(error.code).toBe('WECHAT_UNAVAILABLE');
    expect(error.getStatus()).toBe(503);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
  });

  describe('request', () => {
    it('returns the body of any path and passes the options through', async () => {
      answer({
        contentType: 'application/json',
        body: JSON.stringify({ errcode: 0, errmsg: 'ok', phone_info: { countryCode: '86' } }),
      });

      const body = await client.request('/wxa/business/getuserphonenumber', {
        method: 'POST',
        params: { access_token: 'token' },
        data: { code: 'phone-code' },
      });
      expect(body).toMatchObject({ phone_info: { countryCode: '86' } });
      expect(requests[0].method).toBe('POST');
      expect(requests[0].url.searchParams.get('access_token')).toBe('token');
    });

    it('hands the raw errcode to the caller, who knows the app and the call, to map', async () => {
      answer(json({ errcode: 40001, errmsg: 'invalid credential' }));

      const error = await client
        .request('/wxa/business/getuserphonenumber', { method: 'POST' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WechatErrcodeError);
      expect(error).toMatchObject({ errcode: 40001, path: '/wxa/business/getuserphonenumber' });
    });
  });
});
