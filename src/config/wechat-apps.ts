/**
 * The WeChat apps this service serves: a mini-program (wx.login()), an Official Account's web
 * pages (OAuth snsapi_base / snsapi_userinfo) or an Open Platform website app (QR login,
 * snsapi_login).
 */
export type WechatAppType = 'miniprogram' | 'official_account' | 'website';

/** One configured app: WECHAT_APP_ID/WECHAT_APP_SECRET (the default mini-program) or a WECHAT_APPS entry. */
export interface WechatApp {
  appId: string;
  secret: string;
  type: WechatAppType;
  name?: string;
}
