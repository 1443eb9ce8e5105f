import type {
  AccountExport,
  LoginResponse,
  PhoneNumber,
  ProfilePatch,
  SessionInfo,
  TokenResponse,
  WxUser,
} from './api-types';
import { ApiError, WxCallError } from './errors';
import { sessionIdOf } from './token-claims';
import type { GetPhoneNumberEvent, WxApi, WxRequestMethod } from './wx-api';

export const TOKENS_STORAGE_KEY = 'wxauth.tokens';

/** After these only a new `wx.login()` helps: the session or its refresh token is gone. */
const RELOGIN_CODES = new Set([
  'SESSION_REVOKED',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'UNAUTHORIZED',
]);

// chooseAvatar hands out temporary files: wxfile://… on phones, http://tmp/… in the devtools.
const LOCAL_FILE = /^(wxfile:|https?:\/\/(tmp|usr)\/)/i;

export interface AuthClientOptions {
  wx: WxApi;
  /** e.g. `https://api.example.com`; it must be one of the mini-program's request domains. */
  baseUrl: string;
  /** For each wx.login and wx.request; without it app.json's `networkTimeout` (default 60 s) applies. */
  timeoutMs?: number;
}

export interface ApiRequest {
  method?: WxRequestMethod;
  /** From the service's root, e.g. `/users/me`. */
  path: string;
  data?: Record<string, unknown>;
}

export type BindPhoneResult =
  { bound: true; phone: PhoneNumber } | { bound: false; errMsg: string };

interface StoredTokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * Signs the mini-program's user in to the service and calls it on their behalf. Create ONE per app
 * and share it: the guarantee that concurrent requests share one login and one refresh holds only
 * within one instance.
 */
export class AuthClient {
  private readonly wx: WxApi;
  private readonly baseUrl: string;
  private readonly timeoutMs?: number;
  private loggingIn: Promise<LoginResponse> | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(options: AuthClientOptions) {
    this.wx = options.wx;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
  }

  /**
   * Trades a fresh `wx.login()` code for tokens and stores them. Callers that arrive while a login
   * is under way get its result. A failed login is not retried: each call spends a new code.
   */
  login(): Promise<LoginResponse> {
    this.loggingIn ??= this.performLogin().finally(() => {
      this.loggingIn = null;
    });
    return this.loggingIn;
  }

  /**
   * Calls the service with the user's access token, logging in first when there is none. A token
   * refused as expired is refreshed, one refused with the session is replaced by a new login, and
   * the call is then retried exactly once: a second refusal reaches the caller.
   */
  async request<T>(call: ApiRequest): Promise<T> {
    const token = await this.accessToken();
    try {
      return await this.send<T>(call, token);
    } catch (error) {
      if (!(error instanceof ApiError && isSessionError(error.code))) throw error;
      await this.renew(error.code, token);
      return this.send<T>(call, await this.accessToken());
    }
  }

  /** For `<button open-type="getPhoneNumber" bindgetphonenumber>`. */
  async bindPhone(event: GetPhoneNumberEvent): Promise<BindPhoneResult> {
    const { code, errMsg } = event.detail;
    // WeChat gives no code when the user refuses (or the app may not ask): nothing to send.
    if (!code) return { bound: false, errMsg };
    const phone = await this.request<PhoneNumber>({
      method: 'POST',
      path: '/users/me/phone',
      data: { code },
    });
    return { bound: true, phone };
  }

  /**
   * For `<input type="nickname">` and `<button open-type="chooseAvatar">`. The avatar that button
   * gives is a temporary file only this device can read: a real app uploads it to its own storage
   * first and sends the https URL that storage answers, so a temporary path is refused here.
   */
  async updateProfile(patch: ProfilePatch): Promise<WxUser> {
    if (patch.avatarUrl !== undefined && LOCAL_FILE.test(patch.avatarUrl)) {
      throw new Error(
        'avatarUrl is a temporary local file: upload it to your storage and send its https URL',
      );
    }
    return await this.request<WxUser>({ method: 'PATCH', path: '/users/me', data: { ...patch } });
  }

  /** Revokes the session on the server, then forgets the tokens whatever the server answered. */
  async logout(): Promise<void> {
    const tokens = this.readTokens();
    if (!tokens) return;
    try {
      await this.revoke(tokens);
    } catch (error) {
      // Any 401 means the session is already unusable, which is all logging out asks for.
      if (!(error instanceof ApiError && error.statusCode === 401)) throw error;
    } finally {
      this.wx.removeStorageSync(TOKENS_STORAGE_KEY);
    }
  }

  /** The devices and browsers the account is logged in on, newest first; `current` marks this one. */
  sessions(): Promise<SessionInfo[]> {
    return this.request<SessionInfo[]>({ path: '/users/me/sessions' });
  }

  /**
   * Logs one session out. When it is this client's own session the stored tokens are forgotten as
   * well, as by `logout()`; without that the next request would log in again silently.
   */
  async revokeSession(id: string): Promise<void> {
    await this.request({ method: 'DELETE', path: `/users/me/sessions/${encodeURIComponent(id)}` });
    // Read after the call: a renewal during it may have replaced the tokens with a new session's.
    const tokens = this.readTokens();
    if (tokens && sessionIdOf(tokens.accessToken) === id) {
      this.wx.removeStorageSync(TOKENS_STORAGE_KEY);
    }
  }

  /** Logs out every session of the account but this one; answers how many there were. */
  async revokeOtherSessions(): Promise<number> {
    const answer = await this.request<{ revoked: number }>({
      method: 'DELETE',
      path: '/users/me/sessions',
    });
    return answer.revoked;
  }

  /** Everything the service stores about the user (PIPL's right of access), without secrets. */
  exportData(): Promise<AccountExport> {
    return this.request<AccountExport>({ path: '/users/me/export' });
  }

  /**
   * Deletes the user's account on the service (PIPL's right to erasure), then forgets the tokens.
   * On failure the tokens stay, so the user is still signed in and can try again. Make no other
   * request afterwards unless a new account is wanted: it would log in silently and create one.
   */
  async deleteAccount(): Promise<void> {
    await this.request({ method: 'DELETE', path: '/users/me' });
    this.wx.removeStorageSync(TOKENS_STORAGE_KEY);
  }

  private async performLogin(): Promise<LoginResponse> {
    const code = await this.wxLogin();
    const answer = await this.send<LoginResponse>({
      method: 'POST',
      path: '/auth/wechat/login',
      data: { code },
    });
    this.storeTokens(answer);
    return answer;
  }

  private async accessToken(): Promise<string> {
    return (this.readTokens() ?? (await this.login())).accessToken;
  }

  /**
   * New tokens after `refusedToken` was refused. Requests that were sent with the same token arrive
   * here together: the first one renews, those during its renewal join it, and those after it find
   * newer tokens stored and simply retry.
   */
  private async renew(code: string, refusedToken: string): Promise<void> {
    const stored = this.readTokens();
    if (code === 'TOKEN_EXPIRED' && stored?.accessToken === refusedToken) {
      await this.refresh(stored);
    } else {
      await this.relogin(refusedToken);
    }
  }

  private refresh(tokens: StoredTokens): Promise<void> {
    this.refreshing ??= this.performRefresh(tokens).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async performRefresh(tokens: StoredTokens): Promise<void> {
    try {
      this.storeTokens(
        await this.send<TokenResponse>({
          method: 'POST',
          path: '/auth/refresh',
          data: { refreshToken: tokens.refreshToken },
        }),
      );
    } catch (error) {
      // Anything else (no network, a busy server) leaves the refresh token worth another try.
      if (!(error instanceof ApiError && RELOGIN_CODES.has(error.code))) throw error;
      await this.relogin(tokens.accessToken);
    }
  }

  private async relogin(refusedToken: string): Promise<void> {
    const stored = this.readTokens();
    if (stored && stored.accessToken !== refusedToken) return;
    this.wx.removeStorageSync(TOKENS_STORAGE_KEY);
    await this.login();
  }

  private async revoke(tokens: StoredTokens): Promise<void> {
    const logout: ApiRequest = { method: 'POST', path: '/auth/logout' };
    try {
      await this.send(logout, tokens.accessToken);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'TOKEN_EXPIRED')) throw error;
      // An expired token cannot log out; one rotation gets one that can, so the session ends now
      // instead of living on, unused, for the rest of the refresh token's lifetime.
      const fresh = await this.send<TokenResponse>({
        method: 'POST',
        path: '/auth/refresh',
        data: { refreshToken: tokens.refreshToken },
      });
      await this.send(logout, fresh.accessToken);
    }
  }

  private readTokens(): StoredTokens | null {
    const value = this.wx.getStorageSync(TOKENS_STORAGE_KEY);
    return isStoredTokens(value) ? value : null;
  }

  private storeTokens(answer: TokenResponse): void {
    if (!isStoredTokens(answer)) {
      throw new ApiError(200, 'UNEXPECTED_RESPONSE', 'the answer carries no tokens');
    }
    const tokens: StoredTokens = {
      accessToken: answer.accessToken,
      refreshToken: answer.refreshToken,
    };
    this.wx.setStorageSync(TOKENS_STORAGE_KEY, tokens);
  }

  private wxLogin(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.wx.login({
        timeout: this.timeoutMs,
        success: ({ code, errMsg }) =>
          code ? resolve(code) : reject(new WxCallError('wx.login', errMsg)),
        fail: ({ errMsg }) => reject(new WxCallError('wx.login', errMsg)),
      });
    });
  }

  private send<T>(call: ApiRequest, accessToken?: string): Promise<T> {
    const header: Record<string, string> = { 'content-type': 'application/json' };
    if (accessToken) header.Authorization = `Bearer ${accessToken}`;
    return new Promise((resolve, reject) => {
      this.wx.request({
        url: this.baseUrl + call.path,
        method: call.method ?? 'GET',
        data: call.data,
        header,
        timeout: this.timeoutMs,
        success: ({ statusCode, data }) => {
          if (statusCode >= 200 && statusCode < 300) resolve(data as T);
          else reject(ApiError.fromResponse(statusCode, data));
        },
        fail: ({ errMsg }) => reject(new WxCallError('wx.request', errMsg)),
      });
    });
  }
}

function isSessionError(code: string): boolean {
  return code === 'TOKEN_EXPIRED' || RELOGIN_CODES.has(code);
}

function isStoredTokens(value: unknown): value is StoredTokens {
  if (typeof value !== 'object' || value === null) return false;
  const { accessToken, refreshToken } = value as Record<string, unknown>;
  return (
    typeof accessToken === 'string' &&
    accessToken !== '' &&
    typeof refreshToken === 'string' &&
    refreshToken !== ''
  );
}
