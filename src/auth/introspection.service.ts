import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import type { ErrorCode } from '../common/errors/error-code';
import { AppConfig } from '../config/app-config';
import { AccessTokenVerifier } from './access-token-verifier';
import type { IntrospectionResult } from './dto/introspect.dto';
import { SessionService } from './session.service';

/** Refusals that mean "this token is not live"; anything else (a database outage) propagates. */
const INACTIVE: ReadonlySet<ErrorCode> = new Set([
  'UNAUTHORIZED',
  'TOKEN_EXPIRED',
  'SESSION_REVOKED',
  'USER_DISABLED',
]);

/**
 * RFC 7662 token introspection for other services that want revocation-aware checks: the
 * token must verify exactly as on a bearer route, and its session and account be live.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly config: AppConfig,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionService,
  ) {}

  /** The caller must present INTROSPECTION_TOKEN; compared as SHA-256 digests in constant time. */
  assertCaller(authorization: string | undefined): void {
    const expected = this.config.introspectionTokenSha256;
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '');
    const presented = match ? createHash('sha256').update(match[1], 'utf8').digest() : undefined;
    if (!expected || !presented || !timingSafeEqual(presented, expected)) {
      throw new ApiException('UNAUTHORIZED', 'A valid introspection bearer token is required');
    }
  }

  async introspect(token: string): Promise<IntrospectionResult> {
    try {
      const claims = this.verifier.verify(token);
      const caller = await this.sessions.requireCaller(claims.sid, BigInt(claims.sub));
      return {
        active: true,
        sub: claims.sub,
        sid: claims.sid,
        exp: claims.exp,
        iat: claims.iat,
        token_type: 'Bearer',
        app_id: caller.identity.appId,
      };
    } catch (error) {
      if (error instanceof ApiException && INACTIVE.has(error.code)) return { active: false };
      throw error;
    }
  }
}
