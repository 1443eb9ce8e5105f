import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { AppConfig, loadAppConfig } from './app-config';

type Environment = Record<string, string | undefined>;

/**
 * The raw settings: `.env` in the working directory under the process environment (a real
 * variable wins over the file), read with dotenv itself rather than through @nestjs/config,
 * which would cost a cold start about 7 ms of loading for these few lines. As @nestjs/config
 * did, a variable only the file sets is then copied into the process environment.
 */
function readEnvironment(): Environment {
  const fromFile = existsSync('.env') ? parse(readFileSync('.env')) : {};
  const environment: Environment = { ...fromFile, ...process.env };
  for (const [name, value] of Object.entries(process.env)) {
    // docs/api.md: "An empty variable counts as missing": the file's value then applies.
    if (value === '' && fromFile[name] !== undefined) environment[name] = fromFile[name];
  }
  for (const [name, value] of Object.entries(fromFile)) {
    if (!(name in process.env)) process.env[name] = value;
  }
  return environment;
}

/** The service's configuration, validated: a bad or missing setting rejects with a ConfigError. */
export function loadConfigFromEnvironment(): Promise<AppConfig> {
  return new Promise((resolve) => resolve(loadAppConfig(readEnvironment())));
}

/** The raw settings, for the scripts (migrations, dev loop) that validate only what they use. */
export function loadEnvironment(): Promise<Environment> {
  return new Promise((resolve) => resolve(readEnvironment()));
}
