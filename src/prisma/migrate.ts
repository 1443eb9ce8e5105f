import { loadEnvironment } from '../config/environment';
import { ConfigError, loadDatabaseUrl } from '../config/app-config';
import { applyMigrations } from './migration-runner';

/** `npm run db:migrate`: creates the database when missing and applies pending migrations. */
async function main(): Promise<void> {
  // Only the database matters here: a migration job needs no WeChat or token secrets.
  const databaseUrl = loadDatabaseUrl(await loadEnvironment());
  const target = new URL(databaseUrl);
  const result = await applyMigrations(databaseUrl);
  const where = `${target.hostname}:${target.port || 3306}${target.pathname}`;
  if (result.createdDatabase) console.log(`Created database ${where} (utf8mb4)`);
  for (const name of result.applied) console.log(`Applied migration ${name}`);
  console.log(
    result.applied.length === 0
      ? `Database ${where} is up to date (${result.alreadyApplied.length} migration${result.alreadyApplied.length === 1 ? '' : 's'})`
      : `Database ${where} migrated (${result.applied.length} applied)`,
  );
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`;
  console.error(message);
  process.exit(1);
});
