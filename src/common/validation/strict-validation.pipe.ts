import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiException } from '../errors/api.exception';
import { assertSafeJson } from '../http/json-body';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property)
        ? `${parent ? `${parent}.` : ''}${message}`
        : `${path}: ${message}`,
    );
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * Validation for every body and query: unknown fields are refused, not silently dropped;
 * a body that is not a JSON object is refused; every failure is VALIDATION_FAILED.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) =>
        new ApiException(
          'VALIDATION_FAILED',
          describe(errors).slice(0, 5).join('; ') || 'Invalid request',
        ),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = metadata.metatype !== undefined && this.toValidate(metadata);
    if (isDto && (metadata.type === 'body' || metadata.type === 'query')) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ApiException('VALIDATION_FAILED', 'Request body must be a JSON object');
      }
      // Here, after the guard, so an anonymous caller learns only that it must log in.
      assertSafeJson(value);
    }
    return super.transform(value, metadata);
  }
}
