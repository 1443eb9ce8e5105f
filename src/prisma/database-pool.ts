import { Logger } from '@nestjs/common';
import { createPool, Pool } from 'mariadb';
import type { AppConfig } from '../config/app-config';
import { connectionSettings } from './database-url';

/** Injection token of the one mariadb pool that Prisma and the hot-path statements share. */
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export type DatabasePool = Pool;

/**
 * DATETIME(3) columns hold UTC, as Prisma writes them; the driver converts Dates in the
 * process's time zone, so the service runs in UTC (main.ts). The driver's own `timezone`
 * option is not used: its per-connection SET fails loudly when a connection drops mid-handshake.
 */
export function createDatabasePool(config: AppConfig): Pool {
  const pool = createPool({
    ...connectionSettings(config.databaseUrl),
    connectionLimit: 10,
    // Bounded waits, so a database outage is answered within the contract's 5 s.
    connectTimeout: 2000,
    acquireTimeout: 4000,
    socketTimeout: 10000,
  });
  // The pool reports each failed connection attempt as an 'error' event while it retries in
  // the background; unheard, that event would crash the process during a database outage.
  const logger = new Logger('Database');
  // (The driver's typings omit this event, hence the cast.)
  (pool as unknown as NodeJS.EventEmitter).on('error', (error: Error & { code?: string }) =>
    logger.warn({ code: error.code }, 'cannot open a database connection; retrying'),
  );
  return pool;
}
