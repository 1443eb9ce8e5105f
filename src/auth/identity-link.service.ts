import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { duplicateKeyOf, SqlClient } from '../prisma/sql-client';
import { IdentityRepository, type NewIdentity } from '../users/identity.repository';
import type { UserView } from '../users/user.view';
import { UNIQUE_KEYS } from '../users/users.queries';
import { UsersService } from '../users/users.service';
import type { AuthenticatedUser } from './authenticated-user';
import type { AppCodeDto } from './dto/app-code.dto';
import { SessionService } from './session.service';
import { WechatGrants } from './wechat-grants';

const taken = (message: string) => new ApiException('IDENTITY_TAKEN', message);

/**
 * Linking and unlinking WeChat identities by the account's owner (docs/api.md, "POST
 * /users/me/identities" and "DELETE /users/me/identities/{appId}"). Each change moves rows in
 * one transaction together with the revocation of the moved identity's sessions.
 */
@Injectable()
export class IdentityLinkService {
  constructor(
    private readonly grants: WechatGrants,
    private readonly identities: IdentityRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly sql: SqlClient,
  ) {}

  async link(caller: AuthenticatedUser, body: AppCodeDto): Promise<UserView> {
    const grant: NewIdentity = await this.grants.exchange(body.appId, body.code);
    const owner = await this.identities.accountOf(grant.appId, grant.openid);
    if (owner?.account.id === caller.accountId) return this.answer(caller);
    if (caller.identities.some((each) => each.appId === grant.appId)) {
      throw taken('This account already has an identity of that app; unlink it first');
    }
    try {
      if (!owner) {
        await this.sql.transaction((tx) => this.identities.attach(tx, caller.accountId, grant));
      } else {
        // A disabled account's identity does not escape its ban by moving.
        if (owner.identities.length > 1 || owner.account.status !== 'active') {
          throw taken('That WeChat identity belongs to another account with other identities');
        }
        await this.sql.transaction(async (tx) => {
          const moved = await this.identities.move(
            tx,
            owner.identity.id,
            owner.account.id,
            caller.accountId,
          );
          if (!moved) throw taken('That WeChat identity changed accounts meanwhile; try again');
          await this.identities.deleteIfEmpty(tx, owner.account.id);
          await this.sessions.revokeIdentity(tx, owner.identity.id, 'link');
        });
      }
    } catch (error) {
      const key = duplicateKeyOf(error);
      if (key === UNIQUE_KEYS.onePerApp) {
        throw taken('This account already has an identity of that app; unlink it first');
      }
      if (key === UNIQUE_KEYS.identity) {
        throw taken('That WeChat identity was just claimed by another login; try again');
      }
      throw error;
    }
    return this.answer(caller);
  }

  async unlink(caller: AuthenticatedUser, appId: string): Promise<void> {
    const identity = caller.identities.find((each) => each.appId === appId);
    if (!identity) {
      throw new ApiException('NOT_FOUND', 'This account has no identity of that app');
    }
    if (identity.id === caller.identity.id || caller.identities.length < 2) {
      throw new ApiException(
        'IDENTITY_IN_USE',
        "The session's own identity (or the last one) cannot be unlinked; log in with another app first",
      );
    }
    await this.sql.transaction(async (tx) => {
      const own = await this.identities.createEmptyAccount(tx);
      if (!(await this.identities.move(tx, identity.id, caller.accountId, own))) {
        throw new ApiException('NOT_FOUND', 'This account has no identity of that app');
      }
      await this.sessions.revokeIdentity(tx, identity.id, 'unlink');
    });
  }

  private async answer(caller: AuthenticatedUser): Promise<UserView> {
    const account = await this.users.findAccount(caller.accountId);
    if (!account) throw new ApiException('SESSION_REVOKED', 'The account no longer exists');
    return this.users.view(account, caller.identity);
  }
}
