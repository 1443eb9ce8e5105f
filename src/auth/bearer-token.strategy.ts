import { Strategy } from 'passport';
import { ExtractJwt } from 'passport-jwt';
import type { Request } from 'express';
import { ApiException } from '../common/errors/api.exception';

type Done = (error: unknown, user?: unknown) => void;

const bearerTokenOf = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * A Passport strategy that hands the bearer token to its verify callback. passport-jwt's own
 * strategy verifies through jsonwebtoken, which has no EdDSA; the checks live in
 * AccessTokenVerifier instead, and every refusal reaches the guard as an ApiException.
 */
export class BearerTokenStrategy extends Strategy {
  constructor(private readonly verifyToken: (token: string, done: Done) => void) {
    super();
  }

  /** Typed by @types/passport as an Express request; Fastify's has the same `headers`. */
  override authenticate(request: Request): void {
    const token = bearerTokenOf(request);
    if (!token) {
      return this.error(new ApiException('UNAUTHORIZED', 'A bearer token is required'));
    }
    this.verifyToken(token, (error, user) => {
      if (error) this.error(error);
      else if (user) this.success(user);
      else this.error(new ApiException('UNAUTHORIZED', 'The access token is invalid'));
    });
  }
}
