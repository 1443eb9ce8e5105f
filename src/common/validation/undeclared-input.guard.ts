import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ApiException } from '../errors/api.exception';

interface DeclaredInputs {
  query: boolean;
  body: boolean;
}

/** Which inputs a handler declares (@Query, @Body), read once per handler from Nest's metadata. */
const declaredByHandler = new WeakMap<object, DeclaredInputs>();

export function declaredInputs(controller: object, handler: object & { name: string }) {
  let declared = declaredByHandler.get(handler);
  if (!declared) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ??
      {}) as Record<string, unknown>;
    const types = Object.keys(args).map((key) => Number(key.split(':')[0]));
    declared = {
      query: types.includes(RouteParamtypes.QUERY),
      body: types.includes(RouteParamtypes.BODY),
    };
    declaredByHandler.set(handler, declared);
  }
  return declared;
}

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 0;

/**
 * docs/api.md: a query or body with unknown fields is VALIDATION_FAILED. The validation pipe sees
 * only the inputs a handler declares, so a route without @Query or @Body would otherwise
 * ignore whatever comes (GET /users/me?x=1, a logout with a body). A global guard registered
 * after the JWT guard: an anonymous caller still learns only that it must log in. (Not an
 * interceptor: Nest's interceptor chain binds async contexts per request, which measured
 * +40% CPU on a guarded request.)
 */
@Injectable()
export class UndeclaredInputGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const declared = declaredInputs(context.getClass(), context.getHandler());
    const request = context
      .switchToHttp()
      .getRequest<{ query?: Record<string, unknown>; body?: unknown }>();
    if (!declared.query && request.query && !isEmptyObject(request.query)) {
      const names = Object.keys(request.query).slice(0, 5).join(', ');
      throw new ApiException('VALIDATION_FAILED', `This route takes no query parameters: ${names}`);
    }
    if (!declared.body && request.body !== undefined && !isEmptyObject(request.body)) {
      throw new ApiException('VALIDATION_FAILED', 'This route takes no request body');
    }
    return true;
  }
}
