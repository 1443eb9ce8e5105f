import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import type { AxiosError, AxiosRequestConfig } from 'axios';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import type { WechatApp } from '../config/wechat-apps';
import { Metrics } from '../metrics/metrics';
import {
  apiExceptionForErrcode,
  errcodeOutcome,
  mapWechatError,
  WECHAT_BUSY,
  WechatErrcodeError,
} from './wechat-errors';

/** What a mini-program's wx.login() code is worth: the user's openid and session key. */
export interface MiniProgramGrant {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

/** WeChat's JSON answer; errors carry errcode != 0 (often with HTTP 200). */
export type WechatBody = Record<string, unknown> & { errcode?: number; errmsg?: string };

const RETRY_DELAY_MS = 100;
/** A retry with less time than this left before the deadline is not worth starting. */
const MIN_ATTEMPT_MS = 50;
const RETRYABLE_NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** An attempt's result, and its outcome as the metrics count it (see Metrics.wechatCall). */
type Attempt = ({ body: WechatBody } | { retryable: ApiException } | { fatal: ApiException }) & {
  outcome: string;
};

const unavailable = (message: string) => new ApiException('WECHAT_UNAVAILABLE', message);

/**
 * Talks to WeChat's server API. Every call retries once (after a short pause) on errcode
 * -1, a refused or reset connection, or HTTP 5xx; a timeout is not retried, so a slow
 * WeChat is answered within WECHAT_TIMEOUT_MS. Bodies are parsed whatever their
 * Content-Type (/sns/* sends JSON as text/plain). Secrets never reach a log line.
 */
@Injectable()
export class WechatApiClient {
  private readonly logger = new Logger(WechatApiClient.name);

  constructor(
    private readonly http: HttpService,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Exchanges a wx.login() code of mini-program `app` for the user's openid and session key. */
  async code2Session(app: WechatApp, code: string): Promise<MiniProgramGrant> {
    let body: WechatBody;
    try {
      body = await this.request('/sns/jscode2session', {
        method: 'GET',
        params: {
          appid: app.appId,
          secret: app.secret,
          js_code: code,
          grant_type: 'authorization_code',
        },
      });
    } catch (error) {
      throw mapWechatError(error, app);
    }
    const { openid, session_key: sessionKey, unionid } = body;
    if (typeof openid !== 'string' || !openid || typeof sessionKey !== 'string' || !sessionKey) {
      throw unavailable('WeChat answered jscode2session without openid or session_key');
    }
    return { openid, sessionKey, ...(typeof unionid === 'string' && unionid ? { unionid } : {}) };
  }

  /**
   * One call to WeChat that must succeed (errcode absent or 0); any errcode becomes a
   * {@link WechatErrcodeError} for the caller to map (wechat-errors.ts) knowing which app and
   * call it was. Failures to get an answer at all are the contract's errors already.
   */
  async request(path: string, options: AxiosRequestConfig): Promise<WechatBody> {
    // One deadline for the call, retry included: a busy answer that came late leaves the retry
    // only what is left, so the caller hears back within WECHAT_TIMEOUT_MS either way.
    const deadline = Date.now() + this.config.wechat.timeoutMs;
    let outcome = await this.measuredAttempt(path, options, deadline);
    if ('retryable' in outcome && deadline - Date.now() > RETRY_DELAY_MS + MIN_ATTEMPT_MS) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      outcome = await this.measuredAttempt(path, options, deadline);
    }
    if ('retryable' in outcome) throw outcome.retryable;
    if ('fatal' in outcome) throw outcome.fatal;
    const errcode = outcome.body.errcode;
    if (errcode !== undefined && errcode !== 0) {
      this.logger.warn({ path, errcode }, 'WeChat answered an error');
      throw new WechatErrcodeError(errcode, path);
    }
    return outcome.body;
  }

  private async measuredAttempt(
    path: string,
    options: AxiosRequestConfig,
    deadline: number,
  ): Promise<Attempt> {
    const started = performance.now();
    const outcome = await this.attempt(path, options, deadline);
    this.metrics.wechatCall(path, outcome.outcome, (performance.now() - started) / 1000);
    return outcome;
  }

  private async attempt(
    path: string,
    options: AxiosRequestConfig,
    deadline: number,
  ): Promise<Attempt> {
    const timeoutMs = Math.max(1, deadline - Date.now());
    let status: number;
    let text: string;
    try {
      // The module's axios instance as a promise: HttpService's Observable wrapper cancels
      // every finished request on unsubscribe, building an error with a stack trace each
      // time (measured: about 5% of a login's CPU under `npm run bench`).
      const response = await this.http.axiosRef.request<string>({
        ...options,
        url: `${this.config.wechat.apiBaseUrl}${path}`,
        responseType: 'text',
        transformResponse: (data: string) => data,
        validateStatus: () => true,
        // The whole call, answer included (wechatHttpAdapter), not axios's idle-socket timeout.
        timeout: timeoutMs,
      });
      status = response.status;
      text = response.data;
    } catch (error) {
      return this.networkFailure(path, error as AxiosError);
    }
    if (status >= 500) {
      this.logger.warn({ path, status }, 'WeChat answered HTTP 5xx');
      return {
        retryable: unavailable(`WeChat answered HTTP ${status}; try again shortly`),
        outcome: 'http5xx',
      };
    }
    const body = parseBody(text);
    if (!body || status !== 200) {
      this.logger.warn({ path, status }, 'WeChat answered something that is not its JSON');
      return {
        fatal: unavailable('WeChat answered with an unexpected body; try again shortly'),
        outcome: 'badbody',
      };
    }
    const outcome = errcodeOutcome(body.errcode);
    if (body.errcode === WECHAT_BUSY) {
      return { retryable: apiExceptionForErrcode(WECHAT_BUSY), outcome };
    }
    return { body, outcome };
  }

  private networkFailure(path: string, error: AxiosError): Attempt {
    const code = error.code ?? (error.cause as { code?: string } | undefined)?.code ?? 'UNKNOWN';
    this.logger.warn({ path, code }, 'WeChat request failed');
    if (RETRYABLE_NETWORK_ERRORS.has(code) || /socket hang up/i.test(error.message)) {
      return {
        retryable: unavailable('WeChat could not be reached; try again shortly'),
        outcome: 'network',
      };
    }
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
      return {
        fatal: unavailable(`WeChat did not answer within ${this.config.wechat.timeoutMs} ms`),
        outcome: 'timeout',
      };
    }
    return {
      fatal: unavailable('WeChat could not be reached; try again shortly'),
      outcome: 'network',
    };
  }
}

function parseBody(text: string): WechatBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const errcode = (value as WechatBody).errcode;
    if (errcode !== undefined && typeof errcode !== 'number') return undefined;
    return value as WechatBody;
  } catch {
    return undefined;
  }
}
