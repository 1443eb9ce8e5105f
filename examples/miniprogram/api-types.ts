/** The shapes of the service's answers (docs/api.md), as far as a mini-program uses them. */

export interface WxUser {
  id: number;
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
