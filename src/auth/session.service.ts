import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import { DATABASE_POOL, DatabasePool } from '../prisma/database-pool';
import { PrismaService } from '../prisma/prisma.service';

export interface IssuedSession {
  sessionId: string;
  refreshToken: string;
}

export interface RotatedSession extends IssuedSession {
  userId: bigint;
}

/** Refresh tokens are 256 random bits; only their SHA-256 is stored. */
function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Login sessions and their rotating refresh tokens. A session is a token family: each
 * refresh exchanges the newest token for a new one; presenting an older one means it was
 * stolen or replayed, and the whole session is revoked. Sessions live in the database, so a
 * logout on one instance is seen by every other at once.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
  ) {}

  get refreshTtlSeconds(): number {
    return Math.floor(this.config.jwt.refreshTtlSeconds);
  }

  async start(userId: bigint): Promise<IssuedSession> {
    const sessionId = randomUUID();
    const { token, hash } = newRefreshToken();
    const expiresAt = this.refreshExpiry();
    // Hot path (every login): plain SQL on Prisma's pool, see UsersService. No transaction:
    // a session whose token insert failed has no token, so it can never be used.
    const now = new Date();
    await this.pool.query(
      'INSERT INTO auth_session (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      [sessionId, userId, now, expiresAt],
    );
    await this.pool.query(
      'INSERT INTO refresh_token (session_id, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?)',
      [sessionId, hash, expiresAt, now],
    );
    return { sessionId, refreshToken: token };
  }

  async rotate(refreshToken: string): Promise<RotatedSession> {
    const now = new Date();
    const current = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(refreshToken) },
      include: { session: true },
    });
    if (
      !current ||
      current.session.revokedAt ||
      current.expiresAt <= now ||
      current.session.expiresAt <= now
    ) {
      throw new ApiException(
        'REFRESH_TOKEN_INVALID',
        'The refresh token is unknown, expired or revoked; log in again',
      );
    }
    if (current.rotatedAt) {
      await this.revoke(current.sessionId, 'reuse');
      throw new ApiException(
        'REFRESH_TOKEN_REUSED',
        'This refresh token was already used; the session has been revoked, log in again',
      );
    }
    // Only one of several simultaneous refreshes with one token may win the rotation.
    const won = await this.prisma.refreshToken.updateMany({
      where: { id: current.id, rotatedAt: null },
      data: { rotatedAt: now },
    });
    if (won.count !== 1) {
      throw new ApiException(
        'REFRESH_TOKEN_INVALID',
        'This refresh token was just used by another request',
      );
    }
    const { token, hash } = newRefreshToken();
    const expiresAt = this.refreshExpiry();
    await this.prisma.$transaction([
      this.prisma.refreshToken.create({
        data: { sessionId: current.sessionId, tokenHash: hash, expiresAt },
      }),
      this.prisma.authSession.update({ where: { id: current.sessionId }, data: { expiresAt } }),
    ]);
    return { sessionId: current.sessionId, userId: current.session.userId, refreshToken: token };
  }

  async revoke(sessionId: string, reason: 'logout' | 'reuse'): Promise<void> {
    await this.prisma.authSession.updateMany({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: new Date(), revokeReason: reason },
    });
  }

  /** The session of an access token must exist, belong to its user, and be neither revoked nor expired. */
  async requireActive(sessionId: string, userId: bigint): Promise<void> {
    // Hot path (every bearer request): plain SQL on Prisma's pool, see UsersService.
    const [session]: Array<
      { userId: bigint; revokedAt: Date | null; expiresAt: Date } | undefined
    > = await this.pool.query(
      'SELECT user_id AS userId, revoked_at AS revokedAt, expires_at AS expiresAt FROM auth_session WHERE id = ?',
      [sessionId],
    );
    if (
      !session ||
      session.userId !== userId ||
      session.revokedAt ||
      session.expiresAt <= new Date()
    ) {
      throw new ApiException(
        'SESSION_REVOKED',
        'This session has been logged out or revoked; log in again',
      );
    }
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.refreshTtlSeconds * 1000);
  }
}
