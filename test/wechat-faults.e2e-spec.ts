import { call } from './support/http';
import { startService } from './support/service';
import { useTestStack } from './support/stack';
import { clearFaults, injectFault, mintLoginCode } from './support/wechat';

const TIMEOUT_MS = 800;
const JSCODE2SESSION = '/sns/jscode2session';
const stack = useTestStack({
  WECHAT_TIMEOUT_MS: String(TIMEOUT_MS),
});

afterEach(() => clearFaults(stack.emulator.url));

const countUsers = async () =>
  (await stack.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM wx_user'))[0].n;
const jscodeCalls = async () =>
  (await call<{ calls: Record<string, number> }>(`${stack.emulator.url}/__emulator/stats`)).body
    .calls[JSCODE2SESSION] ?? 0;

async function loginWithFreshCode() {
  const minted = await mintLoginCode(stack.emulator.url);
  return call(`${stack.service.url}/auth/wechat/login`, { body: { code: minted.code } });
}

/** After every fault the service must serve a normal login again, by itself. */
async function expectRecovered() {
  await clearFaults(stack.emulator.url);
  const result = await loginWithFreshCode();
  expect(result.status).toBe(200);
}

describe('WeChat errcodes map to the contract', () => {
  const table: Array<[number, number, string]> = [
    [40029, 401, 'WECHAT_CODE_INVALID'],
    [40163, 401, 'WECHAT_CODE_INVALID'],
    [40226, 403, 'WECHAT_USER_BLOCKED'],
    [45011, 429, 'WECHAT_RATE_LIMITED'],
    [40013, 502, 'WECHAT_MISCONFIGURED'],
    [40125, 502, 'WECHAT_MISCONFIGURED'],
    [41002, 502, 'WECHAT_MISCONFIGURED'],
    [41004, 502, 'WECHAT_MISCONFIGURED'],
    [40164, 502, 'WECHAT_MISCONFIGURED'],
    [40243, 502, 'WECHAT_MISCONFIGURED'],
  ];
  it.each(table)('errcode %i → %i %s, nothing written', async (errcode, status, code) => {
    await injectFault(stack.emulator.url, {
      path: JSCODE2SESSION,
      type: 'errcode',
      errcode,
      times: 1,
    });
    const before = await countUsers();
    const result = await loginWithFreshCode();
    expect(result.status).toBe(status);
    expect(result.body).toEqual({
      statusCode: status,
      code,
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(await countUsers()).toBe(before);
    await expectRecovered();
  });

  it('a wrong app secret is WECHAT_MISCONFIGURED, and the secret is not in the answer', async () => {
    const misconfigured = await startService({
      DATABASE_URL: stack.db.url,
      WECHAT_API_BASE_URL: stack.emulator.url,
      WECHAT_APP_SECRET: 'ffffffffffffffffffffffffffffffff',
    });
    try {
      const minted = await mintLoginCode(stack.emulator.url);
      const result = await call(`${misconfigured.url}/auth/wechat/login`, {
        body: { code: minted.code },
      });
      expect(result.status).toBe(502);
      expect(result.body.code).toBe('WECHAT_MISCONFIGURED');
      expect(result.text).not.toContain('ffffffffffffffffffffffffffffffff');
    } finally {
      await misconfigured.close();
    }
  });
});

describe('WeChat faults', () => {
  it('busy (-1) once is retried and succeeds', async () => {
    await injectFault(stack.emulator.url, {
      path: JSCODE2SESSION,
      type: 'errcode',
      errcode: -1,
      times: 1,
    });
    const calls = await jscodeCalls();
    expect((await loginWithFreshCode()).status).toBe(200);
    expect((await jscodeCalls()) - calls).toBe(2);
  });

  it('HTTP 500 once is retried and succeeds; a dropped connection once likewise', async () => {
    await injectFault(stack.emulator.url, { path: JSCODE2SESSION, type: 'http500', times: 1 });
    expect((await loginWithFreshCode()).status).toBe(200);
    await injectFault(stack.emulator.url, { path: JSCODE2SESSION, type: 'drop', times: 1 });
    expect((await loginWithFreshCode()).status).toBe(200);
  });

  const persistent: Array<[string, Parameters<typeof injectFault>[1]]> = [
    ['busy always', { path: JSCODE2SESSION, type: 'errcode', errcode: -1, always: true }],
    ['HTTP 500 always', { path: JSCODE2SESSION, type: 'http500', always: true }],
    ['non-JSON body', { path: JSCODE2SESSION, type: 'nonjson', always: true }],
    ['HTML page', { path: JSCODE2SESSION, type: 'html', always: true }],
    ['empty body', { path: JSCODE2SESSION, type: 'empty', always: true }],
    ['dropped connection always', { path: JSCODE2SESSION, type: 'drop', always: true }],
  ];
  it.each(persistent)(
    '%s → 503 WECHAT_UNAVAILABLE, nothing written, then recovers',
    async (_name, fault) => {
      await injectFault(stack.emulator.url, fault);
      const before = await countUsers();
      const result = await loginWithFreshCode();
      expect(result.status).toBe(503);
      expect(result.body.code).toBe('WECHAT_UNAVAILABLE');
      expect(await countUsers()).toBe(before);
      await expectRecovered();
    },
  );

  it('slower than WECHAT_TIMEOUT_MS → WECHAT_UNAVAILABLE within timeout + 1 s, not retried', async () => {
    await injectFault(stack.emulator.url, {
      path: JSCODE2SESSION,
      type: 'delay',
      delayMs: TIMEOUT_MS + 2000,
      times: 1,
    });
    const calls = await jscodeCalls();
    const started = Date.now();
    const result = await loginWithFreshCode();
    const elapsed = Date.now() - started;
    expect(result.status).toBe(503);
    expect(result.body.code).toBe('WECHAT_UNAVAILABLE');
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000);
    expect((await jscodeCalls()) - calls).toBe(1);
    await expectRecovered();
  });

  it('WeChat unreachable (nothing listening) → WECHAT_UNAVAILABLE', async () => {
    const unreachable = await startService({
      DATABASE_URL: stack.db.url,
      WECHAT_API_BASE_URL: 'http://127.0.0.1:1',
    });
    try {
      const result = await call(`${unreachable.url}/auth/wechat/login`, { body: { code: 'abc' } });
      expect(result.status).toBe(503);
      expect(result.body.code).toBe('WECHAT_UNAVAILABLE');
    } finally {
      await unreachable.close();
    }
  });

  it('a success with unionid is stored', async () => {
    const minted = await mintLoginCode(stack.emulator.url, {
      unionid: 'oUnion_faults_0000000000000',
    });
    const result = await call(`${stack.service.url}/auth/wechat/login`, {
      body: { code: minted.code },
    });
    expect(result.body.user.unionid).toBe('oUnion_faults_0000000000000');
  });
});
