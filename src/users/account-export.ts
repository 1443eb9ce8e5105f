import type { SessionView } from '../auth/session.view';
import type { WechatAppType } from '../config/wechat-apps';
import type { LoginView } from './login.view';
import type { IdentityView } from './user.view';

/**
 * GET /users/me/export: everything stored about the person. The account and identities use the
 * `user` object's field names, plus the stored fields that object leaves out. Session keys (even
 * sealed), refresh tokens and their hashes are secrets of the service, not data about the person,
 * and never appear.
 */
export interface AccountExport {
  account: ExportedAccount;
  identities: ExportedIdentity[];
  sessions: ExportedSession[];
  logins: LoginView[];
}

export interface ExportedAccount {
  id: number;
  nickname: string | null;
  avatarUrl: string | null;
  gender: number;
  phone: string | null;
  phoneCountryCode: string | null;
  status: 'active' | 'disabled';
  /** The unionid whose first login created the account, kept to link that person's other apps. */
  createdForUnionid: string | null;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  lastLoginIp: string | null;
  loginCount: number;
}

export interface ExportedIdentity extends IdentityView {
  updatedAt: string;
  lastLoginIp: string | null;
  loginCount: number;
  /** When WeChat last gave a session key for this identity (the key itself is never exported). */
  sessionKeyUpdatedAt: string | null;
}

/** Every session, ended ones included. */
export interface ExportedSession extends SessionView {
  revokedAt: string | null;
  revokeReason: string | null;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** What Prisma reads for an export (see AccountExportService). */
export interface StoredAccount {
  id: bigint;
  nickname: string | null;
  avatarUrl: string | null;
  gender: number;
  phone: string | null;
  phoneCountryCode: string | null;
  status: 'active' | 'disabled';
  createdForUnionid: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
  lastLoginIp: string | null;
  loginCount: number;
  identities: Array<{
    appId: string;
    openid: string;
    unionid: string | null;
    createdAt: Date;
    updatedAt: Date;
    lastLoginAt: Date | null;
    lastLoginIp: string | null;
    loginCount: number;
    sessionKeyUpdatedAt: Date | null;
  }>;
}

export interface StoredSession {
  id: string;
  createdAt: Date;
  refreshedAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  ip: string | null;
  userAgent: string | null;
  identity: { appId: string };
}

export function toExportedAccount({
  identities: _identities,
  ...account
}: StoredAccount): ExportedAccount {
  return {
    ...account,
    id: Number(account.id),
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
    lastLoginAt: iso(account.lastLoginAt),
  };
}

export function toExportedIdentity(
  identity: StoredAccount['identities'][number],
  typeOf: (appId: string) => WechatAppType | undefined,
): ExportedIdentity {
  return {
    appId: identity.appId,
    type: typeOf(identity.appId) ?? null,
    openid: identity.openid,
    unionid: identity.unionid,
    createdAt: identity.createdAt.toISOString(),
    updatedAt: identity.updatedAt.toISOString(),
    lastLoginAt: iso(identity.lastLoginAt),
    lastLoginIp: identity.lastLoginIp,
    loginCount: identity.loginCount,
    sessionKeyUpdatedAt: iso(identity.sessionKeyUpdatedAt),
  };
}

export function toExportedSession(
  session: StoredSession,
  currentSessionId: string,
): ExportedSession {
  return {
    id: session.id,
    appId: session.identity.appId,
    current: session.id === currentSessionId,
    createdAt: session.createdAt.toISOString(),
    refreshedAt: iso(session.refreshedAt),
    expiresAt: session.expiresAt.toISOString(),
    revokedAt: iso(session.revokedAt),
    revokeReason: session.revokeReason,
    ip: session.ip,
    userAgent: session.userAgent,
  };
}
