// Before anything reads the clock: DATETIME columns hold UTC (see src/prisma/database-pool.ts).
process.env.TZ = 'UTC';
import { createPool } from 'mariadb';
import { ConfigError, loadDatabaseUrl } from '../config/app-config';
import { loadEnvironment } from '../config/environment';
import { connectionSettings } from '../prisma/database-url';
import { WITHOUT_PIPELINING } from '../prisma/database-pool';
import { SqlClient } from '../prisma/sql-client';
import { adminActor } from './admin-actor';
import { ADMIN_USAGE, parseAdminArguments, UsageError } from './admin-arguments';
import { runAdminRequest } from './admin-command';
import { describeDatabaseFailure } from './database-failure';

/** `npm run admin -- <command>`: see ADMIN_USAGE and docs/admin-studio.md. */
async function main(argv: string[]): Promise<number> {
  let request;
  try {
    request = parseAdminArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`admin: ${error.message}\nRun \`npm run admin -- --help\` for the commands.`);
    return 2;
  }
  if (request.command === 'help') {
    console.log(ADMIN_USAGE);
    return 0;
  }

  const env = await loadEnvironment();
  const databaseUrl = loadDatabaseUrl(env);
  const pool = createPool({
    ...connectionSettings(databaseUrl),
    connectionLimit: 2,
    ...WITHOUT_PIPELINING,
    // A database that is away is reported within a few seconds, not after the driver's defaults.
    connectTimeout: 2000,
    acquireTimeout: 3000,
  });
  // The pool also reports each failed connection as an 'error' event; the failed statement
  // carries the same cause and is what gets reported, so the event only must not go unheard.
  (pool as unknown as NodeJS.EventEmitter).on('error', () => undefined);
  try {
    const result = await runAdminRequest(request, new SqlClient(pool), adminActor(env));
    if (result.stdout !== undefined) console.log(result.stdout);
    if (result.stderr !== undefined) console.error(`admin: ${result.stderr}`);
    return result.exitCode;
  } catch (error) {
    const failure = describeDatabaseFailure(error, databaseUrl);
    if (failure === undefined) throw error;
    console.error(`admin: ${failure}`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (exitCode) => (process.exitCode = exitCode),
  (error: unknown) => {
    // No stack trace for an operator: a bad setting names itself, anything else its message.
    console.error(
      `admin: ${error instanceof ConfigError ? error.message : (error as Error).message}`,
    );
    process.exitCode = 1;
  },
);
