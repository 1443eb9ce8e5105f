/**
 * The few `wx` APIs and component events this sample uses, typed after WeChat's official
 * typings (miniprogram-api-typings) but only as far as the client needs. The client receives a
 * `WxApi` object instead of reading the global `wx`, so tests can hand it a fake.
 */

/** The failure callbacks of every `wx.*` call carry at least this. */
export interface WxCallbackError {
  errMsg: string;
}

export interface WxLoginOption {
  timeout?: number;
  success?: (result: { code: string; errMsg: string }) => void;
  fail?: (error: WxCallbackError) => void;
}

/**
 * `wx.request` documents OPTIONS, GET, HEAD, POST, PUT, DELETE, TRACE and CONNECT. PATCH is not on
 * that list (see the README): it is here because the service's profile route uses it.
 */
export type WxRequestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface WxRequestSuccess {
  statusCode: number;
  /** Parsed JSON when the body is JSON (the default `dataType: 'json'`), else the raw text. */
  data: unknown;
  header: Record<string, string>;
}

export interface WxRequestOption {
  url: string;
  method?: WxRequestMethod;
  /** Sent as JSON for POST/PUT/PATCH; turned into the query string for GET. */
  data?: Record<string, unknown>;
  header?: Record<string, string>;
  timeout?: number;
  success?: (result: WxRequestSuccess) => void;
  fail?: (error: WxCallbackError) => void;
}

export interface WxApi {
  login(option: WxLoginOption): void;
  request(option: WxRequestOption): void;
  /** Answers '' for a key that was never set. */
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
}

export interface WxUploadFileOption {
  url: string;
  filePath: string;
  name: string;
  header?: Record<string, string>;
  success?: (result: { statusCode: number; data: string }) => void;
  fail?: (error: WxCallbackError) => void;
}

/** Only the sample page needs this: the client never uploads. */
export interface WxUploadApi {
  uploadFile(option: WxUploadFileOption): void;
}

/**
 * `wx.showModal`. `confirmText` and `cancelText` take at most 4 characters (WeChat's limit), so the
 * sample leaves WeChat's own, localised buttons and puts the action in the title.
 */
export interface WxShowModalOption {
  title?: string;
  content?: string;
  confirmText?: string;
  cancelText?: string;
  /** e.g. `#e64340` (WeChat's warning red) for a destructive action. */
  confirmColor?: string;
  success?: (result: { confirm: boolean; cancel: boolean }) => void;
  fail?: (error: WxCallbackError) => void;
}

export interface WxReLaunchOption {
  /** An app page, e.g. `/pages/login/login?reason=signed-out`. */
  url: string;
  success?: () => void;
  fail?: (error: WxCallbackError) => void;
}

/** Only the devices page needs these: the client shows nothing and navigates nowhere. */
export interface WxPageApi {
  showModal(option: WxShowModalOption): void;
  /** Closes every open page and opens `url`, so "back" cannot return to a signed-in page. */
  reLaunch(option: WxReLaunchOption): void;
}

/** `<button open-type="getPhoneNumber" bindgetphonenumber>`: no `code` when the user refuses. */
export interface GetPhoneNumberEvent {
  detail: { errMsg: string; code?: string };
}

/** `<button open-type="chooseAvatar" bindchooseavatar>`: a temporary local file path. */
export interface ChooseAvatarEvent {
  detail: { avatarUrl: string };
}
