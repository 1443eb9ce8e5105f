import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IntrospectionService } from './introspection.service';

/** Checks the introspection bearer before the body is validated: strangers learn nothing more. */
@Injectable()
export class IntrospectionCallerGuard implements CanActivate {
  constructor(private readonly introspection: IntrospectionService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.introspection.assertCaller(request.headers.authorization);
    return true;
  }
}
