import { ApiException } from '../common/errors/api.exception';
import { AppConfig, loadAppConfig } from '../config/app-config';
import type { WechatApp } from '../config/wechat-apps';
import { WechatAppRegistry } from './wechat-app.registry';

const DEFAULT_ID = 'wx1111111111111111';
const OTHER_MINI: WechatApp = { appId: 'wx2222222222222222', secret: 's2', type: 'miniprogram' };
const OFFICIAL: WechatApp = { appId: 'wx3333333333333aaa', secret: 's3', type: 'official_account' };
const WEBSITE: WechatApp = { appId: 'wx4444444444444bbb', secret: 's4', type: 'website' };

function registryWith(extra: WechatApp[]): WechatAppRegistry {
  const config: AppConfig = loadAppConfig({ NODE_ENV: 'test', WECHAT_APP_ID: DEFAULT_ID });
  config.wechat.apps = [...config.wechat.apps, ...extra];
  return new WechatAppRegistry(config);
}

function validationFailure(run: () => unknown): ApiException {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ApiException);
  expect((caught as ApiException).code).toBe('VALIDATION_FAILED');
  return caught as ApiException;
}

describe('WechatAppRegistry', () => {
  const registry = registryWith([OTHER_MINI, OFFICIAL, WEBSITE]);

  it('has the WECHAT_APP_ID mini-program as its default', () => {
    expect(registry.defaultApp).toMatchObject({ appId: DEFAULT_ID, type: 'miniprogram' });
    expect(registry.miniProgram()).toBe(registry.defaultApp);
  });

  it('finds apps by id regardless of case, and knows their types', () => {
    expect(registry.find('WX3333333333333AAA')).toBe(OFFICIAL);
    expect(registry.typeOf(WEBSITE.appId)).toBe('website');
    expect(registry.find('wx9999999999999999')).toBeUndefined();
    expect(registry.typeOf('wx9999999999999999')).toBeUndefined();
  });

  it('miniProgram: a configured mini-program, else VALIDATION_FAILED', () => {
    expect(registry.miniProgram(OTHER_MINI.appId)).toBe(OTHER_MINI);
    expect(validationFailure(() => registry.miniProgram(OFFICIAL.appId)).message).toContain(
      OFFICIAL.appId,
    );
    validationFailure(() => registry.miniProgram(WEBSITE.appId));
    validationFailure(() => registry.miniProgram('wx9999999999999999'));
  });

  it('webApp: an Official Account or website app, else VALIDATION_FAILED', () => {
    expect(registry.webApp(OFFICIAL.appId)).toBe(OFFICIAL);
    expect(registry.webApp(WEBSITE.appId)).toBe(WEBSITE);
    validationFailure(() => registry.webApp(DEFAULT_ID));
    validationFailure(() => registry.webApp('wx9999999999999999'));
  });

  it('require: any configured app, else VALIDATION_FAILED', () => {
    for (const app of [OTHER_MINI, OFFICIAL, WEBSITE])
      expect(registry.require(app.appId)).toBe(app);
    validationFailure(() => registry.require('wx9999999999999999'));
  });

  it('does not echo a client value that is not shaped like an app id', () => {
    const message = validationFailure(() => registry.require('<script>alert(1)</script>')).message;
    expect(message).not.toContain('<script>');
  });

  it('refuses a configuration without the default mini-program among its apps', () => {
    const config = loadAppConfig({ NODE_ENV: 'test', WECHAT_APP_ID: DEFAULT_ID });
    config.wechat.apps = [OFFICIAL];
    expect(() => new WechatAppRegistry(config)).toThrow(/WECHAT_APP_ID/);
  });
});
