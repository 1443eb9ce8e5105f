import { Injectable, Logger } from '@nestjs/common';
import type { AxiosRequestConfig } from 'axios';
import { ApiException } from '../common/errors/api.exception';
import type { WechatApp } from '../config/wechat-apps';
import { Metrics } from '../metrics/metrics';
import { FetchedToken, StableTokenCache } from './stable-token-cache';
import { WechatApiClient, WechatBody } from './wechat-api.client';
import {
  apiExceptionForErrcode,
  apiExceptionForTokenFetch,
  TOKEN_INVALID_ERRCODES,
  WechatErrcodeError,
} from './wechat-errors';

const STABLE_TOKEN_PATH = '/cgi-bin/stable_token';

const isTokenError = (error: unknown) =>
  error instanceof WechatErrcodeError && TOKEN_INVALID_ERRCODES.has(error.errcode);

/**
 * Each app's stable token (WeChat calls it the app's access_token) for server-to-server
 * calls, from /cgi-bin/stable_token: every instance of this service gets the same token from
 * WeChat, so instances never invalidate each other. One cache per app id, in memory, fetched
 * once at a time (see {@link StableTokenCache}).
 */
@Injectable()
export class WechatStableTokenService {
  private readonly logger = new Logger(WechatStableTokenService.name);
  private readonly caches = new Map<string, StableTokenCache>();

  constructor(
    private readonly client: WechatApiClient,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Calls a WeChat API of `app` with `?access_token=` (WeChat's name for the parameter). When
   * WeChat says the token is invalid or expired (40001, 40014, 42001), the token is dropped (if
   * still cached), fetched again and the call retried once. Errcodes become the contract's
   * errors.
   */
  async call(app: WechatApp, path: string, options: AxiosRequestConfig): Promise<WechatBody> {
    try {
      return await this.cacheOf(app).withToken(
        (token) =>
          this.client.request(path, {
            ...options,
            params: { ...(options.params as object), access_token: token },
          }),
        isTokenError,
      );
    } catch (error) {
      if (!(error instanceof WechatErrcodeError)) throw error;
      if (isTokenError(error)) {
        this.logger.warn(
          { appId: app.appId, path, errcode: error.errcode },
          'WeChat refused a fresh stable token',
        );
      }
      throw apiExceptionForErrcode(error.errcode, app);
    }
  }

  private cacheOf(app: WechatApp): StableTokenCache {
    let cache = this.caches.get(app.appId);
    if (!cache) {
      cache = new StableTokenCache(() =>
        this.metrics.countStableTokenFetch(app.appId, this.fetchStableToken(app)),
      );
      this.caches.set(app.appId, cache);
    }
    return cache;
  }

  private async fetchStableToken(app: WechatApp): Promise<FetchedToken> {
    let body: WechatBody;
    try {
      // The secret goes in the body of this one call to WeChat and nowhere else.
      body = await this.client.request(STABLE_TOKEN_PATH, {
        method: 'POST',
        data: {
          grant_type: 'client_credential',
          appid: app.appId,
          secret: app.secret,
          force_refresh: false,
        },
      });
    } catch (error) {
      if (!(error instanceof WechatErrcodeError)) throw error;
      throw apiExceptionForTokenFetch(error.errcode, app);
    }
    const { access_token: token, expires_in: expiresIn } = body;
    if (typeof token !== 'string' || !token || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new ApiException(
        'WECHAT_UNAVAILABLE',
        'WeChat answered stable_token without access_token or expires_in',
      );
    }
    this.logger.log({ appId: app.appId, expiresIn }, 'Fetched a WeChat stable token');
    return { token, expiresInSeconds: expiresIn };
  }
}
