import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import { PrismaService } from '../prisma/prisma.service';
import { SqlClient } from '../prisma/sql-client';
import { decryptWechatData, EncryptedWechatData } from '../wechat/wechat-data-cipher';
import { WechatAppRegistry } from '../wechat/wechat-app.registry';
import { WechatContentService } from '../wechat/wechat-content.service';
import type { AccountWithIdentities, IdentityRecord, Profile } from './account';
import { LOGIN_VIEW_QUERY, toLoginView, type LoginView } from './login.view';
import { SessionKeyCipher } from './session-key.cipher';
import { toUserView, type UserView } from './user.view';
import {
  AccountIdentityRow,
  SELECT_ACCOUNT,
  toAccountWithIdentities,
  UPDATE_PROFILE,
} from './users.queries';

/** The account as the caller sees it: its profile, its logins, the data of its identities. */
@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
    private readonly cipher: SessionKeyCipher,
    private readonly apps: WechatAppRegistry,
    private readonly content: WechatContentService,
    private readonly config: AppConfig,
  ) {}

  /** The contract's `user` object of an account, seen from one of its identities. */
  view(account: AccountWithIdentities, seenFrom: IdentityRecord): UserView {
    return toUserView(account, seenFrom, (appId) => this.apps.typeOf(appId));
  }

  async findAccount(accountId: bigint): Promise<AccountWithIdentities | undefined> {
    const rows: AccountIdentityRow[] = await this.sql.query(SELECT_ACCOUNT, [accountId]);
    return rows.length > 0 ? toAccountWithIdentities(rows) : undefined;
  }

  /**
   * Changes the given profile fields and answers the account as this change left it. A new
   * nickname from a mini-program session passes WeChat's content check first (CONTENT_CHECK).
   */
  async updateProfile(caller: AuthenticatedUser, profile: Profile): Promise<UserView> {
    const { nickname, avatarUrl, gender } = profile;
    if (nickname === undefined && avatarUrl === undefined && gender === undefined) {
      throw new ApiException(
        'VALIDATION_FAILED',
        'Send at least one of nickname, avatarUrl, gender',
      );
    }
    if (nickname !== undefined) await this.checkNickname(caller.identity, nickname);
    // The update and the read in one transaction: the row stays locked until the read, so the
    // answer shows this request's values even while other requests change the same account.
    const rows = await this.sql.transaction(async (tx) => {
      await tx.query(UPDATE_PROFILE, [
        ...[nickname ?? null, avatarUrl ?? null, gender ?? null],
        ...[new Date(), caller.accountId],
      ]);
      return tx.query<AccountIdentityRow[]>(SELECT_ACCOUNT, [caller.accountId]);
    });
    if (rows.length === 0) {
      throw new ApiException('SESSION_REVOKED', 'The account no longer exists; log in again');
    }
    return this.view(toAccountWithIdentities(rows), caller.identity);
  }

  /** Newest first, across every identity; logins of one millisecond in reverse insertion order. */
  async recentLogins(accountId: bigint, limit: number): Promise<LoginView[]> {
    const logins = await this.prisma.loginLog.findMany({
      where: { identity: { accountId } },
      take: limit,
      ...LOGIN_VIEW_QUERY,
    });
    return logins.map(toLoginView);
  }

  /** Data the mini-program got from WeChat, decrypted with the session identity's stored key. */
  decryptData(identity: IdentityRecord, input: EncryptedWechatData): Record<string, unknown> {
    const sessionKey =
      identity.sessionKeyCipher && identity.sessionKeyKid
        ? this.cipher.open({ cipher: identity.sessionKeyCipher, kid: identity.sessionKeyKid })
        : undefined;
    if (sessionKey === undefined) {
      throw new ApiException(
        'WECHAT_DECRYPT_FAILED',
        'No usable WeChat session key is stored for this identity (web logins have none); log in again with a new wx.login() code',
      );
    }
    return decryptWechatData(input, sessionKey, identity.appId);
  }

  /** WeChat offers the check to mini-programs only, so web sessions skip it (docs/api.md). */
  private async checkNickname(identity: IdentityRecord, nickname: string): Promise<void> {
    if (!this.config.wechat.contentCheck) return;
    const app = this.apps.find(identity.appId);
    if (app?.type !== 'miniprogram') return;
    await this.content.checkNickname(app, identity.openid, nickname);
  }
}
