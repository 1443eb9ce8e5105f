import { ConfigError } from './config-error';
import { parseWechatApps, WechatApp } from './wechat-apps';

const DEFAULT_APP: WechatApp = {
  appId: 'wx0f1e2d3c4b5a6978',
  secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  type: 'miniprogram',
  name: 'default',
};
const SECRET = '5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const app = (fields: Record<string, unknown> = {}) => ({
  appId: 'wx1111222233334444',
  secret: SECRET,
  type: 'official_account',
  ...fields,
});

function problem(raw: string, production = true): string {
  try {
    parseWechatApps(raw, DEFAULT_APP, production);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems).toHaveLength(1);
    return problems[0];
  }
  throw new Error(`expected WECHAT_APPS=${raw} to be refused`);
}

describe('WECHAT_APPS', () => {
  it('unset or an empty array: the default app alone', () => {
    expect(parseWechatApps(undefined, DEFAULT_APP, true)).toEqual([DEFAULT_APP]);
    expect(parseWechatApps('[]', DEFAULT_APP, true)).toEqual([DEFAULT_APP]);
  });

  it('adds each app after the default one, with its type and optional name', () => {
    const raw = JSON.stringify([
      app({ type: 'miniprogram', appId: 'wx00000000000000a1' }),
      app({ type: 'official_account', appId: 'wx00000000000000b2', name: '公众号' }),
      app({ type: 'website', appId: 'wx00000000000000c3' }),
    ]);
    const apps = parseWechatApps(raw, DEFAULT_APP, true);
    expect(apps.map((a) => [a.appId, a.type, a.name])).toEqual([
      ['wx0f1e2d3c4b5a6978', 'miniprogram', 'default'],
      ['wx00000000000000a1', 'miniprogram', undefined],
      ['wx00000000000000b2', 'official_account', '公众号'],
      ['wx00000000000000c3', 'website', undefined],
    ]);
    expect(apps[1]).not.toHaveProperty('name');
  });

  it.each([
    ['malformed JSON', `[{"appId":"wx1111222233334444","secret":"${SECRET}"`],
    ['an object, not an array', JSON.stringify(app())],
    ['a string entry', JSON.stringify(['wx1111222233334444'])],
    ['a null entry', '[null]'],
    ['an array entry', '[[]]'],
    ['no appId', JSON.stringify([app({ appId: undefined })])],
    ['no secret', JSON.stringify([app({ secret: undefined })])],
    ['no type', JSON.stringify([app({ type: undefined })])],
    ['an empty appId', JSON.stringify([app({ appId: ' ' })])],
    ['a numeric secret', JSON.stringify([app({ secret: 12345 })])],
    ['a numeric name', JSON.stringify([app({ name: 7 })])],
    ['an unknown type', JSON.stringify([app({ type: 'mini_game' })])],
    ['an unknown field', JSON.stringify([app({ appSecret: SECRET })])],
    ['a duplicate app id', JSON.stringify([app(), app({ type: 'website' })])],
    ['a duplicate in other case', JSON.stringify([app(), app({ appId: 'WX1111222233334444' })])],
    ['the default app id again', JSON.stringify([app({ appId: DEFAULT_APP.appId })])],
    ['a short secret', JSON.stringify([app({ secret: SECRET.slice(1) })])],
    ['a non-hex secret', JSON.stringify([app({ secret: `${SECRET.slice(1)}z` })])],
    ['an app id not wx + 16 hex', JSON.stringify([app({ appId: 'wx-official' })])],
  ])('refuses %s in production: one line naming WECHAT_APPS, no secret', (_case, raw) => {
    const line = problem(raw);
    expect(line).toMatch(/^WECHAT_APPS\b/);
    expect(line).not.toContain('\n');
    expect(line).not.toContain(SECRET.slice(0, 12));
    expect(line).not.toContain(SECRET.slice(1, 13));
  });

  it('outside production, takes any non-empty id and secret (the emulator invents them)', () => {
    const raw = JSON.stringify([app({ appId: 'wx-dev-official', secret: 'dev' })]);
    expect(parseWechatApps(raw, DEFAULT_APP, false)[1]).toEqual({
      appId: 'wx-dev-official',
      secret: 'dev',
      type: 'official_account',
    });
  });

  it('outside production still refuses what no mode accepts', () => {
    expect(problem('nope', false)).toMatch(/^WECHAT_APPS .*JSON/);
    expect(problem(JSON.stringify([app({ type: 'game' })]), false)).toMatch(/type/);
    expect(problem(JSON.stringify([app(), app()]), false)).toMatch(/wx1111222233334444/);
  });
});
