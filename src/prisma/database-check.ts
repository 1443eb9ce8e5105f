import { createConnection } from 'mariadb';
import { connectionSettings } from './database-url';

/** The start-up check failed; the message names the cause in one line. */
export class DatabaseStartupError extends Error {
  override readonly name = 'DatabaseStartupError';
}

/**
 * Opens one connection before the service starts. Prisma's adapter reports a wrong password
 * or a missing server only as a generic pool timeout after 10 s, so the real cause is
 * found here and reported in words.
 */
export async function checkDatabase(databaseUrl: string, timeoutMs = 5000): Promise<void> {
  const settings = connectionSettings(databaseUrl);
  const where = `${settings.host}:${settings.port}`;
  try {
    const connection = await createConnection({ ...settings, connectTimeout: timeoutMs });
    await connection.end();
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
}
