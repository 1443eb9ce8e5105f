import { connectionFailure } from '../prisma/database-pool';
import { isDatabaseUnavailable } from '../prisma/database-errors';

/**
 * One line an operator can act on for an error that came from the database: where the database
 * is (never the password) and why, without the driver's stack or connection details. Undefined
 * for an error that did not come from the database.
 */
export function describeDatabaseFailure(error: unknown, databaseUrl: string): string | undefined {
  const unavailable = isDatabaseUnavailable(error);
  const driverError = error as Error & { code?: string };
  if (!unavailable && typeof driverError.code !== 'string') return undefined;
  const url = new URL(databaseUrl);
  const where = `${url.hostname}:${url.port || 3306}${url.pathname}`;
  const { code, reason } = connectionFailure(driverError);
  // The driver starts its messages with "(conn:12, no: 1146, SQLState: 42S02) ".
  const why = reason.replace(/^\(conn:[^)]*\)\s*/, '');
  if (unavailable) return `cannot connect to the database at ${where}: ${why}`;
  const hint = code === 'ER_NO_SUCH_TABLE' ? ' (run `npm run db:migrate`)' : '';
  return `database error at ${where}: ${why}${hint}`;
}
