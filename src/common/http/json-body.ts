import { ApiException } from '../errors/api.exception';

/** Deeper than any body of this API; far shallower than what overflows the validator's recursion. */
export const MAX_JSON_DEPTH = 16;

/**
 * Keys that name Object.prototype members. class-transformer/class-validator see them as
 * inherited properties, so `forbidNonWhitelisted` lets them through; no DTO uses them.
 */
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * Checks a parsed JSON body before validation: nesting depth and prototype-named keys.
 * Iterative, so a hostile body cannot overflow the stack here either.
 */
export function assertSafeJson(value: unknown): void {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new ApiException(
        'VALIDATION_FAILED',
        `Request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    for (const key of Object.keys(node)) {
      if (!Array.isArray(node) && PROTOTYPE_KEYS.has(key)) {
        throw new ApiException(
          'VALIDATION_FAILED',
          'Request body has a field name that is not allowed',
        );
      }
      pending.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
}
