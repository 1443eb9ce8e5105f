import {
  ALL_APP_TYPES,
  OA_APP_ID,
  OA_APP_SECRET,
  OTHER_APP_ID,
  OTHER_APP_SECRET,
  advanceClock,
  anyString,
  control,
  expectError,
  fetchToken,
  matching,
  mintCode,
  send,
  startSpecEmulator,
  wechat,
} from './spec-support';
import type { RunningEmulator } from './wechat-emulator';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startSpecEmulator(ALL_APP_TYPES);
});

afterAll(() => emulator.close());

beforeEach(() => control('POST', 'reset'));

const PATH = '/wxa/msg_sec_check';

interface Verdict {
  errcode?: number;
  errmsg?: string;
  result?: { suggest: string; label: number };
}

const check = (token: string | null, body: unknown): Promise<Verdict> =>
  wechat('POST', `${PATH}${token === null ? '' : `?access_token=${token}`}`, body);

/** A token and a user of the default mini-program, as the service would have them. */
async function caller(): Promise<{ token: string; openid: string }> {
  const { openid } = await mintCode();
  return { token: await fetchToken(), openid };
}

const profileCheck = (openid: string, content: unknown): Record<string, unknown> => ({
  content,
  version: 2,
  scene: 1,
  openid,
});

describe('POST /wxa/msg_sec_check', () => {
  it('passes content with label 100 by default, as JSON with errcode 0', async () => {
    const { token, openid } = await caller();
    const answer = await send(
      emulator,
      'POST',
      `${PATH}?access_token=${token}`,
      profileCheck(openid, '小明'),
    );
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual({
      errcode: 0,
      errmsg: 'ok',
      result: { suggest: 'pass', label: 100 },
      detail: [expect.objectContaining({ strategy: 'content_model', suggest: 'pass' })],
      trace_id: matching(/^[0-9a-f]{32}$/),
    });
  });

  it('gives content that matches a rule its verdict, the strictest when several match', async () => {
    const { token, openid } = await caller();
    expect(await control('POST', 'content-rules', { contains: 'spam', suggest: 'review' })).toEqual(
      { rules: 1 },
    );
    await control('POST', 'content-rules', { contains: 'scam', suggest: 'risky', label: 20008 });
    const verdict = async (content: string): Promise<unknown> =>
      (await check(token, profileCheck(openid, content))).result;
    expect(await verdict('buy spam here')).toEqual({ suggest: 'review', label: 21000 });
    expect(await verdict('a scam')).toEqual({ suggest: 'risky', label: 20008 });
    expect(await verdict('spam and scam')).toEqual({ suggest: 'risky', label: 20008 });
    expect(await verdict('Spam')).toEqual({ suggest: 'pass', label: 100 });

    expect(await control('DELETE', 'content-rules')).toEqual({ ok: true });
    expect(await verdict('a scam')).toEqual({ suggest: 'pass', label: 100 });
    await control('POST', 'content-rules', { contains: 'scam', suggest: 'risky' });
    await control('POST', 'reset');
    const fresh = await caller();
    expect((await check(fresh.token, profileCheck(fresh.openid, 'a scam'))).result).toEqual({
      suggest: 'pass',
      label: 100,
    });
  });

  it('answers 44004 for empty content, 40003 for an openid the app does not know, 41009 without one', async () => {
    const { token, openid } = await caller();
    expectError(await check(token, profileCheck(openid, '')), 44004, 'empty content');
    expectError(await check(token, { version: 2, scene: 1, openid }), 44004, 'empty content');
    expectError(await check(token, profileCheck('oNobody', 'hi')), 40003, 'invalid openid');
    const foreign = await mintCode({ appId: OTHER_APP_ID });
    expectError(await check(token, profileCheck(foreign.openid, 'hi')), 40003, 'invalid openid');
    expect(
      (
        await check(
          await fetchToken(OTHER_APP_ID, OTHER_APP_SECRET),
          profileCheck(foreign.openid, 'hi'),
        )
      ).errcode,
    ).toBe(0);
    expectError(
      await check(token, { content: 'hi', version: 2, scene: 1 }),
      41009,
      'missing openid',
    );
  });

  it('answers 40097 unless version is 2 and scene 1-4, and 47001 for a body that is not JSON', async () => {
    const { token, openid } = await caller();
    for (const body of [
      { content: 'hi', openid, scene: 1 },
      { content: 'hi', openid, scene: 1, version: 1 },
      { content: 'hi', openid, scene: 5, version: 2 },
      { content: 'hi', openid, version: 2 },
    ]) {
      expectError(await check(token, body), 40097, 'invalid args');
    }
    expectError(await check(token, '{"content":'), 47001, 'data format error');
    expectError(await check(token, profileCheck(openid, 42)), 47001, 'data format error');
  });

  it('answers token errors, and 48001 to an app that is not a mini-program', async () => {
    const { token, openid } = await caller();
    expectError(await check(null, profileCheck(openid, 'hi')), 41001, 'access_token missing');
    expectError(await check('86_unknown', profileCheck(openid, 'hi')), 40001, 'invalid credential');
    const oaToken = await fetchToken(OA_APP_ID, OA_APP_SECRET);
    expectError(await check(oaToken, profileCheck(openid, 'hi')), 48001, 'api unauthorized');
    await advanceClock(7200);
    expectError(await check(token, profileCheck(openid, 'hi')), 42001, 'access_token expired');
  });

  it('obeys faults like every WeChat path', async () => {
    const { token, openid } = await caller();
    await control('POST', 'faults', { path: PATH, type: 'errcode', errcode: 45011 });
    await control('POST', 'faults', { path: PATH, type: 'delay', delayMs: 200 });
    expectError(await check(token, profileCheck(openid, 'hi')), 45011, 'api minute-quota');
    const started = Date.now();
    expect((await check(token, profileCheck(openid, 'hi'))).errcode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await control('POST', 'faults', { path: PATH, type: 'drop' });
    await expect(
      fetch(`${emulator.url}${PATH}?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify(profileCheck(openid, 'hi')),
      }),
    ).rejects.toThrow();
    expect((await control<{ calls: Record<string, number> }>('GET', 'stats')).calls[PATH]).toBe(3);
  });
});

describe('POST /__emulator/content-rules', () => {
  it('refuses malformed rules', async () => {
    for (const body of [
      {},
      { contains: 'x' },
      { suggest: 'risky' },
      { contains: '', suggest: 'risky' },
      { contains: 'x', suggest: 'pass' },
      { contains: 'x', suggest: 'risky', label: 0 },
      { contains: 'x', suggest: 'risky', lable: 20001 },
    ]) {
      const answer = await send(emulator, 'POST', '/__emulator/content-rules', body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(JSON.parse(answer.text)).toEqual({ error: anyString });
    }
  });
});
