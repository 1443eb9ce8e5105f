import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiException } from '../common/errors/api.exception';
import { IS_PUBLIC } from './public.decorator';

/**
 * The global guard: every route needs a valid access token unless marked @Public(), so a
 * new controller is protected without anyone remembering to add a guard.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser>(error: Error | null, user: TUser | false, info: unknown): TUser {
    if (error) throw error;
    if (user) return user;
    if ((info as Error | undefined)?.name === 'TokenExpiredError') {
      throw new ApiException('TOKEN_EXPIRED', 'The access token has expired; refresh it');
    }
    const reason =
      info instanceof Error && info.message === 'No auth token'
        ? 'A bearer token is required'
        : 'The access token is invalid';
    throw new ApiException('UNAUTHORIZED', reason);
  }
}
