import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiException } from '../common/errors/api.exception';
import { PrismaService } from '../prisma/prisma.service';
import { WechatAppRegistry } from '../wechat/wechat-app.registry';
import {
  AccountExport,
  toExportedAccount,
  toExportedIdentity,
  toExportedSession,
} from './account-export';
import { LOGIN_VIEW_QUERY, toLoginView } from './login.view';

const IDENTITY_FIELDS = {
  appId: true,
  openid: true,
  unionid: true,
  createdAt: true,
  updatedAt: true,
  lastLoginAt: true,
  lastLoginIp: true,
  loginCount: true,
  sessionKeyUpdatedAt: true,
} as const;

/**
 * A copy of the person's data (PIPL's right to a copy). Not a hot path, so Prisma reads it,
 * in one transaction so the parts agree with each other. Each `select` names its fields: a
 * column added later (a secret, say) stays out until someone decides it belongs here.
 */
@Injectable()
export class AccountExportService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly apps: WechatAppRegistry,
  ) {}

  async export(caller: AuthenticatedUser): Promise<AccountExport> {
    const ofAccount = { identity: { accountId: caller.accountId } };
    const [account, sessions, logins] = await this.prisma.$transaction([
      this.prisma.account.findUnique({
        where: { id: caller.accountId },
        select: {
          id: true,
          nickname: true,
          avatarUrl: true,
          gender: true,
          phone: true,
          phoneCountryCode: true,
          status: true,
          createdForUnionid: true,
          createdAt: true,
          updatedAt: true,
          lastLoginAt: true,
          lastLoginIp: true,
          loginCount: true,
          identities: { select: IDENTITY_FIELDS, orderBy: { id: 'asc' } },
        },
      }),
      this.prisma.authSession.findMany({
        where: ofAccount,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: {
          id: true,
          createdAt: true,
          refreshedAt: true,
          expiresAt: true,
          revokedAt: true,
          revokeReason: true,
          ip: true,
          userAgent: true,
          identity: { select: { appId: true } },
        },
      }),
      this.prisma.loginLog.findMany({ where: ofAccount, ...LOGIN_VIEW_QUERY }),
    ]);
    if (!account) {
      throw new ApiException('SESSION_REVOKED', 'The account no longer exists; log in again');
    }
    return {
      account: toExportedAccount(account),
      identities: account.identities.map((identity) =>
        toExportedIdentity(identity, (appId) => this.apps.typeOf(appId)),
      ),
      sessions: sessions.map((session) => toExportedSession(session, caller.sessionId)),
      logins: logins.map(toLoginView),
    };
  }
}
