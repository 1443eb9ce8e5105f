import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The client's User-Agent, when it sent one. A custom decorator rather than
 * @Headers('user-agent'), which OpenAPI would document as a required header.
 */
export const UserAgent = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['user-agent'];
    return typeof header === 'string' ? header : undefined;
  },
);
