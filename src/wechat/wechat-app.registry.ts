import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { APP_ID_PATTERN } from '../common/validation/validators';
import { AppConfig } from '../config/app-config';
import type { WechatApp, WechatAppType } from '../config/wechat-apps';

const WEB_APP_TYPES: readonly WechatAppType[] = ['official_account', 'website'];

/**
 * The configured WeChat apps by app id. App ids are matched without regard to case: WeChat
 * issues them in lower case, and a client that upper-cases one still means the same app.
 */
@Injectable()
export class WechatAppRegistry {
  /** The WECHAT_APP_ID mini-program: logins that name no app are for it. */
  readonly defaultApp: WechatApp;
  private readonly byId: ReadonlyMap<string, WechatApp>;

  constructor(config: AppConfig) {
    const { apps, appId } = config.wechat;
    this.byId = new Map(apps.map((app) => [app.appId.toLowerCase(), app]));
    const defaultApp = this.find(appId);
    if (defaultApp?.type !== 'miniprogram') {
      // loadAppConfig puts it first; anything else is a bug in the configuration code.
      throw new Error('the configuration lacks the WECHAT_APP_ID mini-program among its apps');
    }
    this.defaultApp = defaultApp;
  }

  find(appId: string): WechatApp | undefined {
    return this.byId.get(appId.toLowerCase());
  }

  typeOf(appId: string): WechatAppType | undefined {
    return this.find(appId)?.type;
  }

  /** The mini-program `appId` names, or the default one; anything else is the client's error. */
  miniProgram(appId?: string): WechatApp {
    if (appId === undefined) return this.defaultApp;
    return this.requireOfType(appId, ['miniprogram'], 'a mini-program');
  }

  /** The Official Account or website app `appId` names (the apps of web OAuth login). */
  webApp(appId: string): WechatApp {
    return this.requireOfType(appId, WEB_APP_TYPES, 'an Official Account or website app');
  }

  /** Any configured app. */
  require(appId: string): WechatApp {
    const app = this.find(appId);
    if (!app) throw notConfigured(appId, 'an app');
    return app;
  }

  private requireOfType(appId: string, types: readonly WechatAppType[], what: string): WechatApp {
    const app = this.find(appId);
    if (!app || !types.includes(app.type)) throw notConfigured(appId, what);
    return app;
  }
}

function notConfigured(appId: string, what: string): ApiException {
  // Echoed only when it has the shape of an app id: the value comes from the client.
  const named = APP_ID_PATTERN.test(appId) ? `appId ${appId}` : 'appId';
  return new ApiException('VALIDATION_FAILED', `${named} is not ${what} configured on this server`);
}
