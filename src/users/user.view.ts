import type { WechatAppType } from '../config/wechat-apps';
import type { AccountWithIdentities, IdentityRecord } from './account';

/** One entry of the user object's `identities`. */
export interface IdentityView {
  appId: string;
  /** Null for an app no longer configured. */
  type: WechatAppType | null;
  openid: string;
  unionid: string | null;
  createdAt: string;
  lastLoginAt: string | null;
}

/**
 * The `user` object of the contract (docs/api.md Part 2): the account, seen from the caller's
 * session identity. Never carries a session key.
 */
export interface UserView {
  id: number;
  appId: string;
  openid: string;
  unionid: string | null;
  nickname: string | null;
  avatarUrl: string | null;
  gender: number;
  phone: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  lastLoginAt: string | null;
  lastLoginIp: string | null;
  loginCount: number;
  identities: IdentityView[];
}

export function toUserView(
  { account, identities }: AccountWithIdentities,
  seenFrom: Pick<IdentityRecord, 'appId' | 'openid' | 'unionid'>,
  typeOf: (appId: string) => WechatAppType | undefined,
): UserView {
  return {
    id: Number(account.id),
    appId: seenFrom.appId,
    openid: seenFrom.openid,
    unionid: seenFrom.unionid,
    nickname: account.nickname,
    avatarUrl: account.avatarUrl,
    gender: account.gender,
    phone: account.phone,
    status: account.status,
    createdAt: account.createdAt.toISOString(),
    lastLoginAt: account.lastLoginAt?.toISOString() ?? null,
    lastLoginIp: account.lastLoginIp,
    loginCount: account.loginCount,
    identities: identities.map((identity) => ({
      appId: identity.appId,
      type: typeOf(identity.appId) ?? null,
      openid: identity.openid,
      unionid: identity.unionid,
      createdAt: identity.createdAt.toISOString(),
      lastLoginAt: identity.lastLoginAt?.toISOString() ?? null,
    })),
  };
}
