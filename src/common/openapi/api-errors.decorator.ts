import { ApiExtension } from '@nestjs/swagger';
import type { ErrorCode } from '../errors/error-code';

export const ERROR_CODES_EXTENSION = 'x-error-codes';

/**
 * The contract error codes a route can answer besides the ones every route shares; the
 * OpenAPI document lists them under their statuses (see openapi.ts).
 */
export const ApiErrors = (...codes: ErrorCode[]) => ApiExtension(ERROR_CODES_EXTENSION, codes);
