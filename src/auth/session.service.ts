import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics';
import { SqlClient, SqlExecutor } from '../prisma/sql-client';
import { assertMayAct } from '../users/account';
import { AccountIdentityRow, toAccountWithIdentities } from '../users/users.queries';
import type { AuthenticatedUser } from './authenticated-user';
import type { RevokeReason } from './session.view';
import {
  INSERT_SESSION,
  INSERT_SPENT_TOKEN,
  REVOKE_IDENTITY_SESSIONS,
  REVOKE_SESSION,
  ROTATE_SESSION_TOKEN,
  SELECT_CALLER,
  SELECT_SESSION_BY_TOKEN,
  SELECT_SPENT_TOKEN,
} from './sessions.queries';

export interface IssuedSession {
  sessionId: string;
  refreshToken: string;
}

export interface RotatedSession extends IssuedSession {
  accountId: bigint;
}

export interface SessionClient {
  ip: string;
  userAgent?: string;
}

export type { RevokeReason } from './session.view';

/** Refresh tokens are 256 random bits; only their SHA-256 is stored. */
function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const revoked = () =>
  new ApiException('SESSION_REVOKED', 'This session has been logged out or revoked; log in again');
const invalidRefresh = (message: string) => new ApiException('REFRESH_TOKEN_INVALID', message);
const unusableRefresh = () =>
  invalidRefresh('The refresh token is unknown, expired or revoked; log in again');

/** A session found by its current refresh token; the token expires with the session. */
interface CurrentTokenRow {
  sessionId: string;
  expiresAt: Date;
  /** When the current token was issued: the session's start or its last rotation. */
  issuedAt: Date;
  revokedAt: Date | null;
  accountId: bigint;
  status: 'active' | 'disabled';
}

interface SpentTokenRow {
  sessionId: string;
  tokenExpiresAt: Date;
  sessionExpiresAt: Date;
  revokedAt: Date | null;
}

/**
 * Login sessions and their rotating refresh tokens. A session belongs to the identity that
 * logged in and is a token family: each refresh exchanges the newest token (its hash is on the
 * session row) for a new one; presenting an older one (kept in refresh_token once spent) means
 * it was stolen or replayed, and the whole session is revoked.
 * Sessions live in the database, so a logout on one instance is seen by every other at once.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly sql: SqlClient,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  get refreshTtlSeconds(): number {
    return Math.floor(this.config.jwt.refreshTtlSeconds);
  }

  async start(identityId: bigint, client: SessionClient): Promise<IssuedSession> {
    const sessionId = randomUUID();
    const { token, hash } = newRefreshToken();
    await this.sql.query(INSERT_SESSION, [
      ...[sessionId, identityId, hash, new Date(), this.refreshExpiry()],
      ...[client.ip, client.userAgent?.slice(0, 512) ?? null],
    ]);
    return { sessionId, refreshToken: token };
  }

  /**
   * Exchanges a refresh token for a new one. Everything that can refuse is checked before the
   * token is spent, so a refused refresh (a disabled account) leaves the token usable later.
   */
  async rotate(refreshToken: string): Promise<RotatedSession> {
    const now = new Date();
    const presented = hashRefreshToken(refreshToken);
    const [current]: Array<CurrentTokenRow | undefined> = await this.sql.query(
      SELECT_SESSION_BY_TOKEN,
      [presented],
    );
    if (!current) return this.refuseSpent(presented, now);
    if (current.revokedAt || current.expiresAt <= now) throw unusableRefresh();
    assertMayAct(current);
    const { token, hash } = newRefreshToken();
    const expiresAt = this.refreshExpiry();
    // The session row first: holding its exclusive lock, the spent token's foreign-key check
    // cannot wait behind a concurrent revoke of the session (a deadlock when it came second).
    // One transaction, so a rotation either happens whole or leaves the presented token current.
    const won = await this.sql.transaction(async (tx) => {
      const swapped: { affectedRows: number } = await tx.query(ROTATE_SESSION_TOKEN, [
        ...[hash, expiresAt, now],
        ...[current.sessionId, presented],
      ]);
      if (swapped.affectedRows !== 1) return false;
      await tx.query(INSERT_SPENT_TOKEN, [
        ...[current.sessionId, presented],
        ...[current.expiresAt, now, current.issuedAt],
      ]);
      return true;
    });
    if (!won) throw invalidRefresh('This refresh token was just used by another request');
    this.metrics.refreshRotated();
    return { sessionId: current.sessionId, accountId: current.accountId, refreshToken: token };
  }

  async revoke(sessionId: string, reason: RevokeReason): Promise<void> {
    await this.sql.query(REVOKE_SESSION, [new Date(), reason, sessionId]);
  }

  /** Ends every session of an identity, inside the caller's transaction. */
  async revokeIdentity(tx: SqlExecutor, identityId: bigint, reason: RevokeReason): Promise<void> {
    await tx.query(REVOKE_IDENTITY_SESSIONS, [new Date(), reason, identityId]);
  }

  /**
   * The caller of a bearer request: the session must exist, be live and belong to the token's
   * account (an identity that moved away takes its sessions with it), and the account must be
   * allowed to act. One statement, one round trip.
   */
  async requireCaller(sessionId: string, accountId: bigint): Promise<AuthenticatedUser> {
    const rows: AccountIdentityRow[] = await this.sql.query(SELECT_CALLER, [sessionId, accountId]);
    const first = rows[0] as
      | (AccountIdentityRow & { s_identityId: bigint; s_revokedAt: Date | null; s_expiresAt: Date })
      | undefined;
    // No row: no such session, or no such account (deleted, or a `sub` it never had).
    if (!first || first.s_revokedAt || first.s_expiresAt <= new Date()) throw revoked();
    const found = toAccountWithIdentities(rows);
    // The session's identity is no longer the account's: it was moved (its sessions revoked).
    const identity = found.identities.find((each) => each.id === first.s_identityId);
    if (!identity) throw revoked();
    assertMayAct(found.account);
    return { ...found, accountId, sessionId, identity };
  }

  /** A token that is no session's current one: unknown, or spent and now replayed. */
  private async refuseSpent(presented: string, now: Date): Promise<never> {
    const [spent]: Array<SpentTokenRow | undefined> = await this.sql.query(SELECT_SPENT_TOKEN, [
      presented,
    ]);
    if (!spent || spent.revokedAt || spent.tokenExpiresAt <= now || spent.sessionExpiresAt <= now) {
      throw unusableRefresh();
    }
    await this.revoke(spent.sessionId, 'reuse');
    this.metrics.refreshReuseDetected();
    throw new ApiException(
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used; the session has been revoked, log in again',
    );
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.refreshTtlSeconds * 1000);
  }
}
