import { ConfigModule } from '@nestjs/config';
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
    validate: (environment: Environment) => {
      result = { value: validate(environment) };
      return environment;
    },
  });
  if (!result) throw new Error('@nestjs/config did not run the validation');
  return result.value;
}

/** The service's configuration, validated: a bad or missing setting rejects with a ConfigError. */
export function loadConfigFromEnvironment(): Promise<AppConfig> {
  return readWithNestConfig(loadAppConfig);
}

/** The raw settings, for the scripts (migrations, dev loop) that validate only what they use. */
export function loadEnvironment(): Promise<Environment> {
  return readWithNestConfig((environment) => environment);
}
