import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { ERROR_CODES_EXTENSION } from './api-errors.decorator';
import { ErrorBodySchema } from './error-body.schema';

export const PUBLIC_EXTENSION = 'x-public';
const BEARER = 'bearer';

/** Every route can answer these. */
const SHARED_ERRORS: ErrorCode[] = ['VALIDATION_FAILED', 'DATABASE_UNAVAILABLE', 'INTERNAL'];
/** Every bearer route can answer these. */
const BEARER_ERRORS: ErrorCode[] = [
  'UNAUTHORIZED',
  'TOKEN_EXPIRED',
  'SESSION_REVOKED',
  'USER_DISABLED',
];

type Operation = Record<string, unknown> & {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
};

/**
 * Builds the OpenAPI document. Security follows the guard's rule: every operation needs
 * the bearer token unless its route is @Public(); and each operation lists the contract
 * error codes it can answer, grouped by status, with the shared error body.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('WeChat Mini Program login service')
    .setDescription(
      'wx.login() code → openid/session_key → user in MySQL → this service’s tokens. ' +
        'Every error answers `{statusCode, code, message, requestId}`; branch on `code`.',
    )
    .setVersion('1.0.0')
    // Relative: the document describes whichever deployment serves it at /docs-json.
    .addServer('/', 'The deployment that serves this document')
    .addTag('auth', 'Logins, token refresh and logout; what other services verify tokens with')
    .addTag('users', "The caller's account, its profile, phone number, identities and logins")
    .addTag('wechat', "WeChat's encrypted data, decrypted with the stored session key")
    .addTag('health', 'Liveness and readiness probes')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodySchema] });
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as Operation[]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const isPublic = operation[PUBLIC_EXTENSION] === true;
      delete operation[PUBLIC_EXTENSION];
      operation.security = isPublic ? [] : [{ [BEARER]: [] }];
      const own = (operation[ERROR_CODES_EXTENSION] as ErrorCode[] | undefined) ?? [];
      delete operation[ERROR_CODES_EXTENSION];
      addErrorResponses(operation, [...SHARED_ERRORS, ...(isPublic ? [] : BEARER_ERRORS), ...own]);
    }
  }
  return document;
}

function addErrorResponses(operation: Operation, codes: ErrorCode[]): void {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    operation.responses[String(status)] = {
      description: `Error: ${statusCodes.join(', ')}`,
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: getSchemaPath(ErrorBodySchema) },
              { type: 'object', properties: { code: { type: 'string', enum: statusCodes } } },
            ],
          },
        },
      },
    };
  }
}

/**
 * Serves Swagger UI at /docs and the document at /docs-json and /docs-yaml. The document is
 * built on the first request for it, not at start: scanning every route takes tens of
 * milliseconds that no other request needs.
 */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
