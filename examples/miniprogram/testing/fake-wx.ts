import type { SessionInfo, WxUser } from '../api-types';
import type { WxApi, WxLoginOption, WxRequestOption } from '../wx-api';

/**
 * A stand-in for the mini-program runtime (storage, wx.login, wx.request) in front of a small
 * model of the service's token rules, for unit tests of the client. Callbacks fire on later
 * timers, as the real ones do, so concurrent calls really overlap.
 */

export const BASE_URL = 'https://api.example.test';

export type Answer = { status: number; body: unknown } | { fail: string };

export interface SentRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
  /** Filled in when the answer is delivered. */
  answer?: Answer;
}

const APP_ID = 'wxfake0000000001';

interface Session {
  id: string;
  appId: string;
  createdAt: string;
  refreshedAt: string | null;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  revoked: boolean;
}

/** Where a session was opened from; `addSession` takes it for the user's other devices. */
export type SessionOrigin = Partial<Pick<Session, 'appId' | 'ip' | 'userAgent'>>;

export class FakeServer {
  readonly user: WxUser = {
    id: 1,
    appId: APP_ID,
    openid: 'oFAKE0000000000000000000000a',
    unionid: null,
    nickname: null,
    avatarUrl: null,
    gender: 0,
    phone: null,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    lastLoginAt: '2026-01-01T00:00:00.000Z',
    lastLoginIp: '203.0.113.9',
    loginCount: 0,
    identities: [
      {
        appId: APP_ID,
        type: 'miniprogram',
        openid: 'oFAKE0000000000000000000000a',
        unionid: null,
        createdAt: '2026-01-01T00:00:00.000Z',
        lastLoginAt: '2026-01-01T00:00:00.000Z',
      },
    ],
  };
  /** Set by `DELETE /users/me`. */
  accountDeleted = false;
  /** Milliseconds before a request is answered. */
  latency: (request: SentRequest) => number = () => 1;

  private seq = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly accessTokens = new Map<string, { session: string; expired: boolean }>();
  private readonly refreshTokens = new Map<string, { session: string; rotated: boolean }>();
  private readonly scripted: { method: string; path: string; answer: Answer }[] = [];

  /** The next request to `method path` gets `answer` instead of being handled. */
  script(method: string, path: string, answer: Answer): void {
    this.scripted.push({ method, path, answer });
  }

  expireAccessTokens(): void {
    for (const grant of this.accessTokens.values()) grant.expired = true;
  }

  revokeSessions(): void {
    for (const session of this.sessions.values()) session.revoked = true;
  }

  /** A session of the same account on another device (no tokens reach this client); its id. */
  addSession(origin: SessionOrigin = {}): string {
    return this.openSession(origin).id;
  }

  /** The ids of the sessions not revoked, oldest first. */
  liveSessionIds(): string[] {
    return [...this.sessions.values()].filter((s) => !s.revoked).map((s) => s.id);
  }

  handle(request: SentRequest): Answer {
    const index = this.scripted.findIndex(
      (s) => s.method === request.method && s.path === request.path,
    );
    if (index >= 0) return this.scripted.splice(index, 1)[0].answer;
    const route = `${request.method} ${request.path}`;
    const body = request.body ?? {};
    if (route === 'POST /auth/wechat/login') return this.login(body);
    if (route === 'POST /auth/refresh') return this.refresh(body);
    const session = this.authenticate(request.authorization);
    if (typeof session !== 'string') return session;
    if (request.method === 'DELETE' && request.path.startsWith('/users/me/sessions/')) {
      return this.revokeOne(decodeURIComponent(request.path.slice('/users/me/sessions/'.length)));
    }
    switch (route) {
      case 'POST /auth/logout':
        this.sessions.get(session)!.revoked = true;
        return { status: 204, body: '' };
      case 'GET /users/me':
        return { status: 200, body: { ...this.user } };
      case 'DELETE /users/me':
        this.accountDeleted = true;
        this.revokeSessions();
        return { status: 204, body: '' };
      case 'GET /users/me/sessions':
        return { status: 200, body: this.listSessions(session) };
      case 'DELETE /users/me/sessions': {
        const others = [...this.sessions.values()].filter((s) => !s.revoked && s.id !== session);
        for (const other of others) other.revoked = true;
        return { status: 200, body: { revoked: others.length } };
      }
      case 'GET /users/me/export': {
        const { identities, ...account } = this.user;
        const sessions = this.listSessions(session).map(({ current: _current, ...rest }) => rest);
        return { status: 200, body: { account, identities, sessions, logins: [] } };
      }
      case 'PATCH /users/me':
        if (Object.keys(body).length === 0) return error(400, 'VALIDATION_FAILED');
        Object.assign(this.user, body);
        return { status: 200, body: { ...this.user } };
      case 'POST /users/me/phone':
        if (typeof body.code !== 'string') return error(400, 'VALIDATION_FAILED');
        this.user.phone = '+8613800138000';
        return {
          status: 200,
          body: {
            phoneNumber: '+8613800138000',
            purePhoneNumber: '13800138000',
            countryCode: '86',
          },
        };
      default:
        return error(404, 'NOT_FOUND');
    }
  }

  private login(body: Record<string, unknown>): Answer {
    if (typeof body.code !== 'string' || body.code === '') return error(400, 'VALIDATION_FAILED');
    const session = this.openSession({});
    this.user.loginCount += 1;
    return {
      status: 200,
      body: {
        ...this.issue(session.id),
        isNewUser: this.user.loginCount === 1,
        user: { ...this.user },
      },
    };
  }

  private refresh(body: Record<string, unknown>): Answer {
    const grant = this.refreshTokens.get(String(body.refreshToken));
    if (!grant || this.sessions.get(grant.session)!.revoked) {
      return error(401, 'REFRESH_TOKEN_INVALID');
    }
    if (grant.rotated) {
      this.sessions.get(grant.session)!.revoked = true;
      return error(401, 'REFRESH_TOKEN_REUSED');
    }
    grant.rotated = true;
    this.sessions.get(grant.session)!.refreshedAt = this.clock();
    return { status: 200, body: this.issue(grant.session) };
  }

  private openSession(origin: SessionOrigin): Session {
    const n = ++this.seq;
    const session: Session = {
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      appId: origin.appId ?? APP_ID,
      createdAt: this.clock(),
      refreshedAt: null,
      expiresAt: '2026-12-31T00:00:00.000Z',
      ip: origin.ip === undefined ? '203.0.113.9' : origin.ip,
      userAgent:
        origin.userAgent === undefined ? 'Mozilla/5.0 MicroMessenger/8.0.50' : origin.userAgent,
      revoked: false,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** Live sessions, newest first, as `GET /users/me/sessions` answers them. */
  private listSessions(current: string): SessionInfo[] {
    return [...this.sessions.values()]
      .filter((s) => !s.revoked)
      .reverse()
      .map(({ revoked: _revoked, ...rest }) => ({ ...rest, current: rest.id === current }));
  }

  private revokeOne(id: string): Answer {
    const target = this.sessions.get(id);
    if (!target || target.revoked) return error(404, 'NOT_FOUND');
    target.revoked = true;
    return { status: 204, body: '' };
  }

  /** A new second of 2026-01-01 for each event, so every timestamp differs. */
  private clock(): string {
    return new Date(Date.UTC(2026, 0, 1) + ++this.seq * 1000).toISOString();
  }

  private authenticate(authorization: string | undefined): string | Answer {
    const grant = this.accessTokens.get(authorization?.replace(/^Bearer /, '') ?? '');
    if (!grant) return error(401, 'UNAUTHORIZED');
    if (grant.expired) return error(401, 'TOKEN_EXPIRED');
    if (this.sessions.get(grant.session)!.revoked) return error(401, 'SESSION_REVOKED');
    return grant.session;
  }

  private issue(session: string) {
    const n = ++this.seq;
    // Shaped like the service's JWTs (the client reads `sid`); the signature is never checked here.
    const accessToken = [
      base64Url({ alg: 'HS256', typ: 'JWT' }),
      base64Url({ sub: String(this.user.id), sid: session, n }),
      'fake-signature',
    ].join('.');
    const refreshToken = `ref-${session}-${n}`;
    this.accessTokens.set(accessToken, { session, expired: false });
    this.refreshTokens.set(refreshToken, { session, rotated: false });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: 7200,
      refreshToken,
      refreshExpiresIn: 2592000,
    };
  }
}

export function error(status: number, code: string): Answer {
  return {
    status,
    body: { statusCode: status, code, message: `fake ${code}`, requestId: 'req-1' },
  };
}

export class FakeWx implements WxApi {
  readonly storage = new Map<string, unknown>();
  readonly sent: SentRequest[] = [];
  loginCalls = 0;
  /** errMsgs the next wx.login calls fail with, in order. */
  readonly loginFailures: string[] = [];

  constructor(readonly server: FakeServer) {}

  login(option: WxLoginOption): void {
    const n = ++this.loginCalls;
    const failure = this.loginFailures.shift();
    setTimeout(() => {
      if (failure) option.fail?.({ errMsg: failure });
      else option.success?.({ code: `code-${n}`, errMsg: 'login:ok' });
    }, 1);
  }

  request(option: WxRequestOption): void {
    if (!option.url.startsWith(BASE_URL)) throw new Error(`unexpected url ${option.url}`);
    const request: SentRequest = {
      method: option.method ?? 'GET',
      path: option.url.slice(BASE_URL.length),
      body: option.data === undefined ? undefined : roundTrip(option.data),
      authorization: option.header?.Authorization,
    };
    this.sent.push(request);
    setTimeout(() => {
      const answer = this.server.handle(request);
      request.answer = answer;
      if ('fail' in answer) option.fail?.({ errMsg: answer.fail });
      else option.success?.({ statusCode: answer.status, data: answer.body, header: {} });
    }, this.server.latency(request));
  }

  getStorageSync(key: string): unknown {
    return this.storage.has(key) ? roundTrip(this.storage.get(key)) : '';
  }

  setStorageSync(key: string, data: unknown): void {
    this.storage.set(key, roundTrip(data));
  }

  removeStorageSync(key: string): void {
    this.storage.delete(key);
  }

  /** The requests sent to `method path`, in order. */
  sentTo(method: string, path: string): SentRequest[] {
    return this.sent.filter((r) => r.method === method && r.path === path);
  }
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// Storage and the wire both keep only what survives JSON, as the real ones do.
function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
