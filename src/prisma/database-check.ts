import { Connection, createConnection } from 'mariadb';
import { connectionSettings } from './database-url';

/** The start-up check failed; the message names the cause in one line. */
export class DatabaseStartupError extends Error {
  override readonly name = 'DatabaseStartupError';
}

/**
 * Opens one connection before the service starts, and runs there what the pool will run on
 * each of its connections (`initSql`). Prisma's adapter reports a wrong password
 * or a missing server only as a generic pool timeout after 10 s, so the real cause is
 * found here and reported in words.
 */
export async function checkDatabase(
  databaseUrl: string,
  options: { initSql?: string; timeoutMs?: number } = {},
): Promise<void> {
  const settings = connectionSettings(databaseUrl);
  const where = `${settings.host}:${settings.port}`;
  const timeoutMs = options.timeoutMs ?? 5000;
  let connection: Connection;
  try {
    connection = await createConnection({ ...settings, connectTimeout: timeoutMs });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    // MariaDB answers an unknown user, or one without a password, with 1698 (…_NO_PASSWORD_ERROR).
    if (
      code === 'ER_ACCESS_DENIED_ERROR' ||
      code === 'ER_DBACCESS_DENIED_ERROR' ||
      code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'
    ) {
      throw new DatabaseStartupError(
        `Database access denied for user '${settings.user}' at ${where}: check the credentials in DATABASE_URL`,
      );
    }
    if (code === 'ER_BAD_DB_ERROR') {
      throw new DatabaseStartupError(
        `Database '${settings.database}' does not exist at ${where}: run \`npm run db:migrate\` to create it`,
      );
    }
    throw new DatabaseStartupError(
      `Database at ${where} is unreachable (${code || (error as Error).message}): check DATABASE_URL and that MySQL is running`,
    );
  }
  try {
    if (options.initSql) await connection.query(options.initSql);
  } catch (error) {
    // What the pool runs on each connection must work here, or every pooled connection would
    // fail. MySQL, and MariaDB outside a Galera cluster, have no wsrep_sync_wait.
    const reason = (error as Error).message.split('\n')[0];
    throw new DatabaseStartupError(
      `DATABASE_CAUSAL_READS=on, but the database at ${where} refused \`${options.initSql}\` (${reason}): causal reads need a MariaDB Galera cluster`,
    );
  } finally {
    await connection.end();
  }
}
