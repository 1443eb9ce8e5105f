import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from '../common/openapi/openapi';

export const IS_PUBLIC = 'isPublic';

/**
 * Opts a route out of the global JWT guard; every other route needs a valid access token.
 * The OpenAPI document reads the same mark, so docs and guard cannot disagree.
 */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_EXTENSION, true));
