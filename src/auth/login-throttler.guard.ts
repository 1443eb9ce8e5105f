import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiException } from '../common/errors/api.exception';

/**
 * Counts login attempts per client IP (the TRUST_PROXY-aware address, never a raw
 * X-Forwarded-For), shared by the login routes, and answers RATE_LIMITED with Retry-After in the contract's shape.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  /** One count per client IP across every login route (mini-program and web), not one per route. */
  protected override generateKey(_context: ExecutionContext, suffix: string, name: string): string {
    // Hashed, as the library's own keys are: Redis never holds a client address in clear.
    return createHash('sha256').update(`login:${name}:${suffix}`).digest('hex');
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve((request as unknown as FastifyRequest).clientIp);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = String(Math.max(1, Math.ceil(detail.timeToBlockExpire)));
    throw new ApiException(
      'RATE_LIMITED',
      `Too many login attempts from this address; retry in ${retryAfter} s`,
      { 'retry-after': retryAfter },
    );
  }
}
