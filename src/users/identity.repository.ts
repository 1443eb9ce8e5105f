import { Injectable } from '@nestjs/common';
import { SqlClient, SqlExecutor } from '../prisma/sql-client';
import type { AccountWithIdentities, IdentityRecord } from './account';
import { SessionKeyCipher } from './session-key.cipher';
import {
  AccountIdentityRow,
  DELETE_EMPTY_ACCOUNT,
  INSERT_EMPTY_ACCOUNT,
  INSERT_IDENTITY,
  MOVE_IDENTITY,
  SELECT_ACCOUNT_BY_IDENTITY,
  toAccountWithIdentities,
} from './users.queries';

/** An account seen through one of its identities. */
export interface FoundIdentity extends AccountWithIdentities {
  identity: IdentityRecord;
}

export interface NewIdentity {
  appId: string;
  openid: string;
  unionid?: string;
  sessionKey?: string;
}

/**
 * Identities moving between accounts (linking and unlinking). Each method takes the executor
 * of the caller's transaction, so a move and the revocation of the identity's sessions commit
 * together.
 */
@Injectable()
export class IdentityRepository {
  constructor(
    private readonly sql: SqlClient,
    private readonly cipher: SessionKeyCipher,
  ) {}

  /** The account that holds the identity (app, openid), if any. */
  async accountOf(appId: string, openid: string): Promise<FoundIdentity | undefined> {
    const rows: AccountIdentityRow[] = await this.sql.query(SELECT_ACCOUNT_BY_IDENTITY, [
      appId,
      openid,
    ]);
    if (rows.length === 0) return undefined;
    const found = toAccountWithIdentities(rows);
    const identity = found.identities.find(
      (each) => each.appId === appId && each.openid === openid,
    );
    return { ...found, identity: identity as IdentityRecord };
  }

  /** A new identity in an existing account (no login counted: linking is not a login). */
  async attach(tx: SqlExecutor, accountId: bigint, identity: NewIdentity): Promise<void> {
    const now = new Date();
    const sealed =
      identity.sessionKey === undefined ? undefined : this.cipher.seal(identity.sessionKey);
    await tx.query(INSERT_IDENTITY, [
      ...[accountId, identity.appId, identity.openid, identity.unionid ?? null],
      ...[sealed?.cipher ?? null, sealed?.kid ?? null, sealed ? now : null],
      ...[0, null, null, now, now],
    ]);
  }

  /** Moves the identity; false when it is no longer in `from` (a concurrent change). */
  async move(tx: SqlExecutor, identityId: bigint, from: bigint, to: bigint): Promise<boolean> {
    const result: { affectedRows: number } = await tx.query(MOVE_IDENTITY, [
      to,
      new Date(),
      identityId,
      from,
    ]);
    return result.affectedRows === 1;
  }

  /** Deletes the account if it has no identity left; true when it did. */
  async deleteIfEmpty(tx: SqlExecutor, accountId: bigint): Promise<boolean> {
    const result: { affectedRows: number } = await tx.query(DELETE_EMPTY_ACCOUNT, [
      accountId,
      accountId,
    ]);
    return result.affectedRows === 1;
  }

  /** A new account with an empty profile, active, for an unlinked identity. */
  async createEmptyAccount(tx: SqlExecutor): Promise<bigint> {
    const now = new Date();
    const created: { insertId: bigint } = await tx.query(INSERT_EMPTY_ACCOUNT, [now, now]);
    return BigInt(created.insertId);
  }
}
