import { existsSync, readFileSync } from 'node:fs';
import { ConfigModule } from '@nestjs/config';
import { parse } from 'dotenv';
import { AppConfig, loadAppConfig } from './app-config';

type Environment = Record<string, string | undefined>;

/**
 * The raw settings as @nestjs/config reads them: `.env` in the working directory under the
 * process environment (a real variable wins over the file). `validate` sees the merged record
 * before anything else, so it is where the settings are checked, once, at start.
 */
async function readWithNestConfig<T>(validate: (environment: Environment) => T): Promise<T> {
  let result: { value: T } | undefined;
  await ConfigModule.forRoot({
    envFilePath: '.env',
    validate: (merged: Environment) => {
      const environment = emptyVariablesAsMissing(merged);
      result = { value: validate(environment) };
      return environment;
    },
  });
  if (!result) throw new Error('@nestjs/config did not run the validation');
  return result.value;
}

/**
 * docs/api.md: "An empty variable counts as missing". @nestjs/config lets an empty process variable
 * hide the value of `.env`; a missing one would not, so the file's value is put back.
 */
function emptyVariablesAsMissing(merged: Environment): Environment {
  const fromFile = existsSync('.env') ? parse(readFileSync('.env')) : {};
  const environment = { ...merged };
  for (const [name, value] of Object.entries(merged)) {
    if (value === '' && fromFile[name] !== undefined) environment[name] = fromFile[name];
  }
  return environment;
}

/** The service's configuration, validated: a bad or missing setting rejects with a ConfigError. */
export function loadConfigFromEnvironment(): Promise<AppConfig> {
  return readWithNestConfig(loadAppConfig);
}

/** The raw settings, for the scripts (migrations, dev loop) that validate only what they use. */
export function loadEnvironment(): Promise<Environment> {
  return readWithNestConfig((environment) => environment);
}
