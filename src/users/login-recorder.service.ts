import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import {
  duplicateKeyOf,
  isLockConflict,
  isMissingParent,
  SqlClient,
  SqlExecutor,
} from '../prisma/sql-client';
import { assertMayAct, IdentityRecord, Profile } from './account';
import { IdentityRepository, type FoundIdentity } from './identity.repository';
import {
  oncePerIdentity,
  untilSucceededPerIdentity,
  type IdentityWrite,
} from './once-per-identity';
import { SessionKeyCipher } from './session-key.cipher';
import {
  COUNT_ACCOUNT_LOGIN,
  INSERT_ACCOUNT,
  INSERT_IDENTITY,
  INSERT_LOGIN_LOG,
  RECORD_RETURNING_LOGIN,
  RECORD_RETURNING_WEB_LOGIN,
  SELECT_ACCOUNT_FOR_UNIONID,
  UNIQUE_KEYS,
} from './users.queries';

export interface LoginInput {
  appId: string;
  openid: string;
  unionid?: string;
  /** WeChat's session_key (mini-program logins only); stored sealed. */
  sessionKey?: string;
  profile?: Profile;
  /** `replace`: the profile the mini-program sent wins; `fill`: WeChat's web profile fills gaps only. */
  profileMode: 'replace' | 'fill';
  ip: string;
  userAgent?: string;
}

export interface RecordedLogin extends FoundIdentity {
  isNewUser: boolean;
}

/** Where a first login's identity goes: a new account, or one that already has its unionid. */
type Placement = { join: bigint } | { create: { forUnionid: string | null } };

/**
 * Each round reads, then writes with statements whose unique keys settle every race: a
 * concurrent login that wins a key sends the loser to a new round, which then sees the winner's
 * rows. Rounds are few in practice (one, two under a race); the bound only stops a livelock.
 */
const MAX_ROUNDS = 8;

type Round = { done: RecordedLogin } | { again: true };

/** A login's writes that a round run again must not repeat once they took effect. */
interface LoginWrites<T> {
  /** The caller's work for the identity that logged in; see {@link LoginRecorder.record}. */
  alongside: (identityId: bigint) => Promise<T>;
  counters: IdentityWrite<unknown>;
  log: IdentityWrite<void>;
}

/**
 * Records a WeChat login under the linking rule of docs/api.md ("Linking rule (unionid)"):
 * an existing identity logs into its account; a new identity joins the oldest account that has
 * its unionid, else gets a new account. Concurrent first logins of one person, on one app or
 * several, create exactly one account and answer `isNewUser: true` exactly once.
 */
@Injectable()
export class LoginRecorder {
  constructor(
    private readonly sql: SqlClient,
    private readonly cipher: SessionKeyCipher,
    private readonly identities: IdentityRepository,
  ) {}

  /**
   * Records the login, and runs `alongside` once for the identity that logged in (the caller
   * starts its session there): for a returning identity at the same time as the login's own
   * writes, so the two cost one round trip instead of two; for a first login after the
   * transaction. A refused login (a disabled account) runs neither.
   */
  async record<T>(
    login: LoginInput,
    alongside: (identityId: bigint) => Promise<T>,
  ): Promise<RecordedLogin & { alongside: T }> {
    const started = oncePerIdentity<T>();
    const writes: LoginWrites<T> = {
      alongside: (identityId) => started(identityId, () => alongside(identityId)),
      counters: untilSucceededPerIdentity(),
      log: untilSucceededPerIdentity(),
    };
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      let outcome: Round;
      try {
        outcome = await this.round(login, writes, round > 1);
      } catch (error) {
        if (!isLockConflict(error)) throw error;
        outcome = { again: true };
      }
      if ('done' in outcome) {
        return { ...outcome.done, alongside: await writes.alongside(outcome.done.identity.id) };
      }
    }
    throw new ApiException('INTERNAL', 'The login could not be recorded; try again');
  }

  private async round<T>(
    login: LoginInput,
    writes: LoginWrites<T>,
    again: boolean,
  ): Promise<Round> {
    const found = await this.identities.accountOf(login.appId, login.openid);
    if (found) return { done: await this.returning(login, found, writes, again) };
    const placement = await this.placementOf(login);
    try {
      return { done: await this.first(login, placement) };
    } catch (error) {
      const key = duplicateKeyOf(error);
      // Another login of this identity, or of this person, got there first: read again.
      if (key === UNIQUE_KEYS.identity || key === UNIQUE_KEYS.accountForUnionid) {
        return { again: true };
      }
      if (isMissingParent(error)) return { again: true }; // the joined account was just deleted
      if (key === UNIQUE_KEYS.onePerApp && 'join' in placement) {
        // The unionid's account already has another identity of this app (WeChat gives one
        // openid per app and unionid, so this is data from elsewhere): keep them apart.
        return { done: await this.first(login, { create: { forUnionid: null } }) };
      }
      throw error;
    }
  }

  /** Rule 1: the identity exists. Nothing is written for a disabled account. */
  private async returning<T>(
    login: LoginInput,
    found: FoundIdentity,
    writes: LoginWrites<T>,
    again: boolean,
  ): Promise<RecordedLogin> {
    assertMayAct(found.account);
    const { identity } = found;
    void writes.alongside(identity.id);
    const now = new Date();
    const sealed = login.sessionKey === undefined ? undefined : this.cipher.seal(login.sessionKey);
    const unionid = login.unionid ?? null;
    const refresh = [unionid, sealed?.cipher ?? null, sealed?.kid ?? null, sealed ? now : null];
    const counters = [now, login.ip, now, now, login.ip, now];
    const profile = login.profile ?? {};
    const count = () =>
      login.profileMode === 'replace'
        ? this.sql.query(RECORD_RETURNING_LOGIN, [
            ...refresh,
            ...counters,
            profile.nickname ?? null,
            profile.avatarUrl ?? null,
            profile.gender ?? null,
            identity.id,
          ])
        : this.sql.query(RECORD_RETURNING_WEB_LOGIN, [
            ...refresh,
            ...counters,
            profile.nickname ?? null,
            profile.avatarUrl ?? null,
            identity.id,
          ]);
    // Two statements on two connections at once: neither waits for the other's row. A round
    // run again after one of them lost a lock conflict repeats that one only.
    await Promise.all([
      writes.counters(identity.id, count),
      writes.log(identity.id, () => this.log(this.sql, identity.id, login, now, false)),
    ]);
    // The counters of a round run again may have been written before `found` was read.
    if (again) return { ...(await this.readBack(login)), isNewUser: false };
    // What the statement just wrote, without reading it back.
    const account = { ...found.account, loginCount: found.account.loginCount + 1 };
    Object.assign(account, { lastLoginAt: now, lastLoginIp: login.ip });
    if (login.profileMode === 'replace') {
      account.nickname = profile.nickname ?? account.nickname;
      account.avatarUrl = profile.avatarUrl ?? account.avatarUrl;
      account.gender = profile.gender ?? account.gender;
    } else {
      account.nickname = account.nickname ?? profile.nickname ?? null;
      account.avatarUrl = account.avatarUrl ?? profile.avatarUrl ?? null;
    }
    const updated: IdentityRecord = {
      ...identity,
      unionid: unionid ?? identity.unionid,
      sessionKeyCipher: sealed?.cipher ?? identity.sessionKeyCipher,
      sessionKeyKid: sealed?.kid ?? identity.sessionKeyKid,
      loginCount: identity.loginCount + 1,
      lastLoginAt: now,
      lastLoginIp: login.ip,
    };
    const identities = found.identities.map((each) => (each.id === identity.id ? updated : each));
    return { account, identities, identity: updated, isNewUser: false };
  }

  /** Rule 2 or 3, decided before writing: a disabled account's person is refused here too. */
  private async placementOf(login: LoginInput): Promise<Placement> {
    if (login.unionid === undefined) return { create: { forUnionid: null } };
    const [owner]: Array<{ id: bigint; status: 'active' | 'disabled' } | undefined> =
      await this.sql.query(SELECT_ACCOUNT_FOR_UNIONID, [login.unionid, login.unionid]);
    if (!owner) return { create: { forUnionid: login.unionid } };
    assertMayAct(owner);
    return { join: owner.id };
  }

  /** A new identity, in one transaction with its account (created or joined) and its log row. */
  private async first(login: LoginInput, placement: Placement): Promise<RecordedLogin> {
    const now = new Date();
    const sealed = login.sessionKey === undefined ? undefined : this.cipher.seal(login.sessionKey);
    const profile = login.profile ?? {};
    await this.sql.transaction(async (tx) => {
      let id: bigint;
      if ('join' in placement) {
        id = placement.join;
        await tx.query(COUNT_ACCOUNT_LOGIN, [
          ...[now, login.ip, now],
          ...[profile.nickname ?? null, profile.avatarUrl ?? null, id],
        ]);
      } else {
        const created: { insertId: bigint } = await tx.query(INSERT_ACCOUNT, [
          placement.create.forUnionid,
          ...[profile.nickname ?? null, profile.avatarUrl ?? null, profile.gender ?? 0],
          ...[1, now, login.ip, now, now],
        ]);
        id = BigInt(created.insertId);
      }
      const identity: { insertId: bigint } = await tx.query(INSERT_IDENTITY, [
        ...[id, login.appId, login.openid, login.unionid ?? null],
        ...[sealed?.cipher ?? null, sealed?.kid ?? null, sealed ? now : null],
        ...[1, now, login.ip, now, now],
      ]);
      await this.log(tx, BigInt(identity.insertId), login, now, !('join' in placement));
    });
    return { ...(await this.readBack(login)), isNewUser: !('join' in placement) };
  }

  /** The identity and account as the login left them. */
  private async readBack(login: LoginInput): Promise<FoundIdentity> {
    const found = await this.identities.accountOf(login.appId, login.openid);
    // Only a deletion between the writes and this read can leave it missing.
    if (!found) throw new ApiException('INTERNAL', 'The login could not be recorded; try again');
    return found;
  }

  private async log(
    sql: SqlExecutor,
    identityId: bigint,
    login: LoginInput,
    at: Date,
    isNewUser: boolean,
  ): Promise<void> {
    await sql.query(INSERT_LOGIN_LOG, [
      identityId,
      at,
      login.ip,
      login.userAgent?.slice(0, 512) ?? null,
      isNewUser,
    ]);
  }
}
