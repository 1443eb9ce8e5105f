import { appsFromEnv } from './apps-from-env';
import { DEV_APP_ID, DEV_APP_SECRET } from './wechat-emulator';

const DEV = { appId: DEV_APP_ID, appSecret: DEV_APP_SECRET, type: 'miniprogram', name: undefined };

describe('appsFromEnv', () => {
  it('serves the DEV mini-program when nothing is set, and empty variables count as unset', () => {
    expect(appsFromEnv({})).toEqual([DEV]);
    expect(appsFromEnv({ WECHAT_APP_ID: '', WECHAT_APP_SECRET: '', WECHAT_APPS: '' })).toEqual([
      DEV,
    ]);
  });

  it('puts WECHAT_APP_ID first, then the WECHAT_APPS entries in order', () => {
    const apps = appsFromEnv({
      WECHAT_APP_ID: 'wxmain',
      WECHAT_APP_SECRET: 'mainsecret',
      WECHAT_APPS: JSON.stringify([
        { appId: 'wxoa', secret: 's1', type: 'official_account', name: 'Shop pages' },
        { appId: 'wxweb', secret: 's2', type: 'website' },
        { appId: 'wxmp2', secret: 's3' },
      ]),
    });
    expect(apps).toEqual([
      { appId: 'wxmain', appSecret: 'mainsecret', type: 'miniprogram', name: undefined },
      { appId: 'wxoa', appSecret: 's1', type: 'official_account', name: 'Shop pages' },
      { appId: 'wxweb', appSecret: 's2', type: 'website', name: undefined },
      { appId: 'wxmp2', appSecret: 's3', type: 'miniprogram', name: undefined },
    ]);
  });

  it('names WECHAT_APPS in every refusal', () => {
    for (const value of [
      '{not json',
      '{"appId":"wxa"}',
      '[1]',
      '[{"appId":"wxa"}]',
      '[{"appId":"","secret":"s"}]',
      '[{"appId":"wxa","secret":"s","type":"app"}]',
      `[{"appId":"${DEV_APP_ID}","secret":"s"}]`,
      '[{"appId":"wxa","secret":"s"},{"appId":"wxa","secret":"t"}]',
    ]) {
      expect(() => appsFromEnv({ WECHAT_APPS: value })).toThrow(/^WECHAT_APPS/);
    }
  });
});
