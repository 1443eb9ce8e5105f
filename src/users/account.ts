import { ApiException } from '../common/errors/api.exception';

export interface Profile {
  nickname?: string;
  avatarUrl?: string;
  gender?: number;
}

/** One person (an `account` row). */
export interface AccountRecord {
  id: bigint;
  nickname: string | null;
  avatarUrl: string | null;
  gender: number;
  phone: string | null;
  phoneCountryCode: string | null;
  status: 'active' | 'disabled';
  loginCount: number;
  lastLoginAt: Date | null;
  lastLoginIp: string | null;
  createdAt: Date;
}

/** One WeChat identity of the account (a `wx_user` row). */
export interface IdentityRecord {
  id: bigint;
  accountId: bigint;
  appId: string;
  openid: string;
  unionid: string | null;
  sessionKeyCipher: string | null;
  sessionKeyKid: string | null;
  loginCount: number;
  lastLoginAt: Date | null;
  lastLoginIp: string | null;
  createdAt: Date;
}

/** An account with all of its identities, oldest first. */
export interface AccountWithIdentities {
  account: AccountRecord;
  identities: IdentityRecord[];
}

/**
 * The one place that decides whether an account may act: log in, refresh, call a bearer route.
 * Every path asks it before it writes anything.
 */
export function assertMayAct(account: Pick<AccountRecord, 'status'>): void {
  if (account.status !== 'active') {
    throw new ApiException('USER_DISABLED', 'This account has been disabled');
  }
}
