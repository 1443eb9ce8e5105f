import { Logger } from '@nestjs/common';
import { createPool, Pool } from 'mariadb';
import type { AppConfig } from '../config/app-config';
import { connectionSettings } from './database-url';

/** Injection token of the one mariadb pool that Prisma and the hot-path statements share. */
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export type DatabasePool = Pool;

/**
 * Galera (DATABASE_CAUSAL_READS=on): before a statement reads (SELECT, and the key and foreign-key
 * checks of UPDATE, DELETE and INSERT: 1 + 2 + 4), this node first applies every write-set the
 * cluster ordered before it. So what another instance, or this pool's other connection on
 * another node, committed (a logout, a spent refresh token, a new session) is seen.
 */
export const CAUSAL_READS = 'SET SESSION wsrep_sync_wait = 7';

/**
 * For every pool that runs prepared statements (SqlClient). With pipelining, on MariaDB the
 * driver sends a statement's first PREPARE and its EXECUTE together, the EXECUTE naming "the
 * statement just prepared". When Galera aborts the transaction for a conflict with another
 * node, that PREPARE fails and the EXECUTE runs the connection's previous statement with the
 * new one's values: a stray committed write, or a crash in the driver when that statement was
 * a SELECT (test/cluster). Without, a PREPARE waits for its answer, once per statement and
 * connection; every later run is one EXECUTE as before. mariadb 3.5.1 to 3.5.3 hang with
 * pipelining off (upstream issue 349); package.json pins 3.4.5.
 */
export const WITHOUT_PIPELINING = { pipelining: false } as const;

/**
 * DATETIME(3) columns hold UTC, as Prisma writes them; the driver converts Dates in the
 * process's time zone, so the service runs in UTC (service.ts). The driver's own `timezone`
 * option is not used: its per-connection SET fails loudly when a connection drops mid-handshake.
 */
export function createDatabasePool(config: AppConfig): Pool {
  const pool = createPool({
    ...connectionSettings(config.databaseUrl),
    ...(config.databaseCausalReads && { initSql: CAUSAL_READS }),
    connectionLimit: 10,
    ...WITHOUT_PIPELINING,
    // Bounded waits, so a database outage is answered within the contract's 5 s.
    connectTimeout: 2000,
    acquireTimeout: 4000,
    socketTimeout: 10000,
  });
  // The pool reports each failed connection attempt as an 'error' event while it retries in
  // the background; unheard, that event would crash the process during a database outage.
  const logger = new Logger('Database');
  const { host, port } = connectionSettings(config.databaseUrl);
  // (The driver's typings omit this event, hence the cast.)
  (pool as unknown as NodeJS.EventEmitter).on('error', (error: DriverError) => {
    const { code, reason } = connectionFailure(error);
    logger.warn(
      { code },
      `cannot connect to the database at ${host}:${port}: ${reason}; retrying in the background`,
    );
  });
  return withStatementDeadline(pool);
}

type DriverError = Error & { code?: string; cause?: unknown };

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is MySQL running and listening there?)',
  ECONNRESET: 'the connection was closed by the server or the network',
  ETIMEDOUT: 'no answer within the connect timeout',
  ER_CONNECTION_TIMEOUT: 'no answer within the connect timeout',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS unavailable)',
  EHOSTUNREACH: 'the host is unreachable',
  ER_ACCESS_DENIED_ERROR: 'access denied: check the user and password in DATABASE_URL',
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: 'access denied: check the user and password in DATABASE_URL',
  ER_DBACCESS_DENIED_ERROR: 'access denied to the database: check the grants of the user',
  ER_BAD_DB_ERROR: 'the database does not exist (run `npm run db:migrate`)',
  ER_CON_COUNT_ERROR: 'the server has too many connections',
};

/**
 * The pool wraps each failure in its own "pool not initialized / cannot create connection"
 * error; the cause underneath is what an operator can act on, so that is what is logged.
 */
export function connectionFailure(error: DriverError): { code: string; reason: string } {
  let cause: DriverError = error;
  // Not `instanceof Error`: socket errors come from Node's core, another realm under jest.
  while (typeof cause.cause === 'object' && cause.cause !== null)
    cause = cause.cause as DriverError;
  const code = cause.code ?? error.code ?? 'UNKNOWN';
  return { code, reason: REASONS[code] ?? cause.message.split('\n')[0] };
}

/**
 * docs/api.md: an unreachable database is answered within 5 s. A database that stops answering
 * without closing its connections (a frozen host, a network partition) leaves a statement
 * waiting for the driver's socketTimeout (10 s); every statement, the pool's and those on a
 * connection taken from it (Prisma's transactions), gets this deadline instead.
 */
export const STATEMENT_DEADLINE_MS = 4000;

function statementTimedOut(): Error {
  // Shaped like the driver's own socket timeout, so every layer (Prisma's adapter included)
  // recognises it as "the database cannot be reached".
  const message = `socket timeout: the database did not answer within ${STATEMENT_DEADLINE_MS} ms`;
  return Object.assign(new Error(message), {
    code: 'ER_SOCKET_TIMEOUT',
    errno: 45026,
    sqlState: '08S01',
    sqlMessage: message,
    fatal: true,
  });
}

function beforeDeadline<T>(statement: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(statementTimedOut()), STATEMENT_DEADLINE_MS);
  });
  return Promise.race([statement, expired]).finally(() => clearTimeout(timer));
}

/** The same object, with query/execute bounded by the deadline (also on connections it hands out). */
function withStatementDeadline<T extends object>(target: T): T {
  type Method = (...args: unknown[]) => unknown;
  // Built once per method, not on every access: `pool.query` is read on every hot-path statement.
  const wrappers = new Map<PropertyKey, { method: Method; wrapper: Method }>();
  const wrap = (property: PropertyKey, method: Method): Method => {
    if (property === 'query' || property === 'execute') {
      return (...args) => beforeDeadline(method.apply(target, args) as Promise<unknown>);
    }
    if (property === 'getConnection') {
      return async (...args) => withStatementDeadline((await method.apply(target, args)) as object);
    }
    return method.bind(target);
  };
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      const method = value as Method;
      const known = wrappers.get(property);
      if (known?.method === method) return known.wrapper;
      const wrapper = wrap(property, method);
      wrappers.set(property, { method, wrapper });
      return wrapper;
    },
  });
}
