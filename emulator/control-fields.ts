/** Control-route field parsing: strict, so a typo in a test's request fails loudly. */
import { HttpError, type JsonObject } from './http';

export function allowOnly(body: JsonObject, fields: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) throw new HttpError(400, `unknown field "${key}"`);
  }
}

export function stringField(body: JsonObject, key: string, maxLength = 256): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new HttpError(400, `"${key}" must be a string of 1-${maxLength} characters`);
  }
  return value;
}

export function digitsField(
  body: JsonObject,
  key: string,
  maxLength: number,
  fallback: string,
): string {
  const value = stringField(body, key, maxLength) ?? fallback;
  if (!/^[0-9]+$/.test(value)) throw new HttpError(400, `"${key}" must be a string of digits`);
  return value;
}

export function integerField(
  body: JsonObject,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(400, `"${key}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function booleanField(body: JsonObject, key: string): boolean {
  const value = body[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new HttpError(400, `"${key}" must be a boolean`);
  return value;
}

/** One of `choices`, or undefined when absent. */
export function choiceField<T extends string>(
  body: JsonObject,
  key: string,
  choices: readonly T[],
): T | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  const choice = choices.find((candidate) => candidate === value);
  if (choice === undefined)
    throw new HttpError(400, `"${key}" must be one of ${choices.join(', ')}`);
  return choice;
}
