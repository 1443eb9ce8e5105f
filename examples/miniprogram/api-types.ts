/** The shapes of the service's answers (docs/api.md), as far as a mini-program uses them. */

/**
 * The account, seen from the caller's session: `id` is the account's, `appId`/`openid`/`unionid`
 * are the session's identity, the login totals count every identity.
 */
export interface WxUser {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  nickname: string | null;
  avatarUrl: string | null;
  gender: 0 | 1 | 2;
  phone: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  lastLoginAt: string;
  lastLoginIp: string;
  loginCount: number;
  /** Every WeChat identity (app + openid) of the account, oldest first. */
  identities: Identity[];
}

export interface Identity {
  appId: string;
  type: 'miniprogram' | 'official_account' | 'website';
  openid: string;
  unionid: string | null;
  createdAt: string;
  lastLoginAt: string;
}

/** One entry of `GET /users/me/sessions`: a device or browser the account is logged in on. */
export interface SessionInfo {
  /** A UUID. */
  id: string;
  appId: string;
  /** The session whose access token made the call. */
  current: boolean;
  createdAt: string;
  /** The last token refresh, or null when the session never refreshed. */
  refreshedAt: string | null;
  expiresAt: string;
  /** The client at login, when known. */
  ip: string | null;
  userAgent: string | null;
}

/** One entry of `GET /users/me/logins`. */
export interface LoginRecord {
  at: string;
  appId: string;
  ip: string;
  userAgent: string;
  isNewUser: boolean;
}

/**
 * `GET /users/me/export`: everything the service stores about the person, never a secret. The
 * contract fixes the four keys and the account's field names, not every field of every entry,
 * so the fields it leaves open are optional here: show them, do not rely on them.
 */
export interface AccountExport {
  account: { id: number } & Partial<WxUser>;
  identities: Identity[];
  sessions: ({ id: string } & Partial<SessionInfo>)[];
  /** All of them, newest first. */
  logins: LoginRecord[];
}

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface LoginResponse extends TokenResponse {
  isNewUser: boolean;
  user: WxUser;
}

export interface PhoneNumber {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/** `PATCH /users/me`: at least one field. */
export interface ProfilePatch {
  nickname?: string;
  avatarUrl?: string;
  gender?: 0 | 1 | 2;
}

/** The error shape every route answers with. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
}
