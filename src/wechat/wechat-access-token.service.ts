import { Injectable, Logger } from '@nestjs/common';
import type { AxiosRequestConfig } from 'axios';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import { AccessTokenCache, FetchedToken } from './access-token-cache';
import { WechatApiClient, WechatBody } from './wechat-api.client';
import { ACCESS_TOKEN_ERRCODES, apiExceptionForErrcode, WechatErrcodeError } from './wechat-errors';

const STABLE_TOKEN_PATH = '/cgi-bin/stable_token';
/** On a token fetch these mean our app id, secret or server IP is refused (40001: wrong secret). */
const TOKEN_MISCONFIGURED = new Set([40001, 40013, 40125, 40164, 40243, 41002, 41004]);

const isTokenError = (error: unknown) =>
  error instanceof WechatErrcodeError && ACCESS_TOKEN_ERRCODES.has(error.errcode);

/**
 * The app's access token for server-to-server calls, from /cgi-bin/stable_token: every
 * instance of this service gets the same token from WeChat, so instances never invalidate
 * each other. Cached in memory, fetched once at a time (see {@link AccessTokenCache}).
 */
@Injectable()
export class WechatAccessTokenService {
  private readonly logger = new Logger(WechatAccessTokenService.name);
  private readonly cache = new AccessTokenCache(() => this.fetchStableToken());

  constructor(
    private readonly client: WechatApiClient,
    private readonly config: AppConfig,
  ) {}

  /**
   * Calls a WeChat API with `?access_token=`. When WeChat says the token is invalid or
   * expired (40001, 40014, 42001), the token is dropped (if still cached), fetched again and
   * the call retried once. Other errcodes become the contract's errors.
   */
  async call(path: string, options: AxiosRequestConfig): Promise<WechatBody> {
    try {
      return await this.cache.withToken(
        (token) =>
          this.client.request(
            path,
            { ...options, params: { ...(options.params as object), access_token: token } },
            false,
          ),
        isTokenError,
      );
    } catch (error) {
      if (!(error instanceof WechatErrcodeError)) throw error;
      if (isTokenError(error)) {
        this.logger.warn({ path, errcode: error.errcode }, 'WeChat refused a fresh access token');
        throw new ApiException(
          'WECHAT_UNAVAILABLE',
          `WeChat refused a freshly fetched access token (errcode ${error.errcode}); try again shortly`,
        );
      }
      throw apiExceptionForErrcode(error.errcode);
    }
  }

  private async fetchStableToken(): Promise<FetchedToken> {
    const { appId, appSecret } = this.config.wechat;
    let body: WechatBody;
    try {
      // The secret goes in the body of this one call to WeChat and nowhere else.
      body = await this.client.request(
        STABLE_TOKEN_PATH,
        {
          method: 'POST',
          data: {
            grant_type: 'client_credential',
            appid: appId,
            secret: appSecret,
            force_refresh: false,
          },
        },
        false,
      );
    } catch (error) {
      if (!(error instanceof WechatErrcodeError)) throw error;
      throw tokenFetchError(error.errcode);
    }
    const { access_token: token, expires_in: expiresIn } = body;
    if (typeof token !== 'string' || !token || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new ApiException(
        'WECHAT_UNAVAILABLE',
        'WeChat answered stable_token without access_token or expires_in',
      );
    }
    this.logger.log({ expiresIn }, 'Fetched a WeChat access token');
    return { token, expiresInSeconds: expiresIn };
  }
}

function tokenFetchError(errcode: number): ApiException {
  if (TOKEN_MISCONFIGURED.has(errcode)) {
    const ip = errcode === 40164 ? " or this server's IP is not in the app's IP whitelist" : '';
    return new ApiException(
      'WECHAT_MISCONFIGURED',
      `WeChat refused to issue an access token (errcode ${errcode}): check WECHAT_APP_ID and WECHAT_APP_SECRET${ip}`,
    );
  }
  if (errcode === 45009) {
    return new ApiException(
      'WECHAT_UNAVAILABLE',
      "WeChat's daily access token quota is used up (errcode 45009); try again later",
    );
  }
  return apiExceptionForErrcode(errcode);
}
