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

  /** Refusals come as ApiExceptions from BearerTokenStrategy and JwtStrategy. */
  override handleRequest<TUser>(error: Error | null, user: TUser | false): TUser {
    if (error) throw error;
    if (user) return user;
    throw new ApiException('UNAUTHORIZED', 'The access token is invalid');
  }
}
