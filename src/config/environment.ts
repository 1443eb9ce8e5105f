import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'dotenv';

/**
 * The process environment over the values of a `.env` file in the working directory:
 * a real environment variable always wins over the file.
 */
export function loadEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  envFile = '.env',
): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parse(readFileSync(envFile)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[name] = value;
    else if (!(name in merged)) merged[name] = value;
  }
  return merged;
}
