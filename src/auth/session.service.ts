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
  EXTEND_SESSION,
  INSERT_REFRESH_TOKEN,
  INSERT_SESSION,
  REVOKE_IDENTITY_SESSIONS,
  REVOKE_SESSION,
  SELECT_CALLER,
  SELECT_REFRESH_TOKEN,
  SPEND_REFRESH_TOKEN,
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

interface RefreshTokenRow {
  tokenId: bigint;
  sessionId: string;
  tokenExpiresAt: Date;
  rotatedAt: Date | null;
  sessionExpiresAt: Date;
  revokedAt: Date | null;
  accountId: bigint;
  status: 'active' | 'disabled';
}

/**
 * Login sessions and their rotating refresh tokens. A session belongs to the identity that
 * logged in and is a token family: each refresh exchanges the newest token for a new one;
 * presenting an older one means it was stolen or replayed, and the whole session is revoked.
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
    const expiresAt = this.refreshExpiry();
    const now = new Date();
    // No transaction: a session whose token insert failed has no token, so it can never be used.
    await this.sql.query(INSERT_SESSION, [
      ...[sessionId, identityId, now, expiresAt],
      ...[client.ip, client.userAgent?.slice(0, 512) ?? null],
    ]);
    await this.sql.query(INSERT_REFRESH_TOKEN, [sessionId, hash, expiresAt, now]);
    return { sessionId, refreshToken: token };
  }

  /**
   * Exchanges a refresh token for a new one. Everything that can refuse is checked before the
   * token is spent, so a refused refresh (a disabled account) leaves the token usable later.
   */
  async rotate(refreshToken: string): Promise<RotatedSession> {
    const now = new Date();
    const [current]: Array<RefreshTokenRow | undefined> = await this.sql.query(
      SELECT_REFRESH_TOKEN,
      [hashRefreshToken(refreshToken)],
    );
    if (
      !current ||
      current.revokedAt ||
      current.tokenExpiresAt <= now ||
      current.sessionExpiresAt <= now
    ) {
      throw invalidRefresh('The refresh token is unknown, expired or revoked; log in again');
    }
    if (current.rotatedAt) {
      await this.revoke(current.sessionId, 'reuse');
      this.metrics.refreshReuseDetected();
      throw new ApiException(
        'REFRESH_TOKEN_REUSED',
        'This refresh token was already used; the session has been revoked, log in again',
      );
    }
    assertMayAct(current);
    const won: { affectedRows: number } = await this.sql.query(SPEND_REFRESH_TOKEN, [
      now,
      current.tokenId,
    ]);
    if (won.affectedRows !== 1) {
      throw invalidRefresh('This refresh token was just used by another request');
    }
    const { token, hash } = newRefreshToken();
    const expiresAt = this.refreshExpiry();
    // The session row first: the token insert's foreign-key check would otherwise take a
    // shared lock on it before this update's exclusive one, and a concurrent revoke of the
    // session (a replay of the spent token) waiting in between made a deadlock.
    await this.sql.transaction(async (tx) => {
      await tx.query(EXTEND_SESSION, [expiresAt, now, current.sessionId]);
      await tx.query(INSERT_REFRESH_TOKEN, [current.sessionId, hash, expiresAt, now]);
    });
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
    const rows: AccountIdentityRow[] = await this.sql.query(SELECT_CALLER, [sessionId]);
    const first = rows[0] as
      | (AccountIdentityRow & { s_identityId: bigint; s_revokedAt: Date | null; s_expiresAt: Date })
      | undefined;
    if (!first || first.s_revokedAt || first.s_expiresAt <= new Date()) throw revoked();
    const found = toAccountWithIdentities(rows);
    if (found.account.id !== accountId) throw revoked();
    assertMayAct(found.account);
    const identity = found.identities.find((each) => each.id === first.s_identityId);
    if (!identity) throw revoked();
    return { ...found, accountId, sessionId, identity };
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.refreshTtlSeconds * 1000);
  }
}
