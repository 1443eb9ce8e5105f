import { Inject, Injectable } from '@nestjs/common';
import { DATABASE_POOL, DatabasePool } from './database-pool';

/** How often a transaction, or a statement, is tried when lock conflicts roll it back. */
const TRANSACTION_ATTEMPTS = 4;

/** Runs statements: the pool itself, or one connection inside a transaction. */
export interface SqlExecutor {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/**
 * Plain SQL on the mariadb pool that Prisma's adapter also uses, for the statements of the two
 * hot paths (login and every bearer request) and for what needs one atomic statement (race-safe
 * inserts). Measured with `npm run bench`: a point select costs about 45 µs of CPU through the
 * driver, 190 µs through `$queryRaw` and 290 µs through Prisma's `findUnique`. Everything else
 * uses the Prisma client. Each module keeps its statements in its own `*.queries.ts`.
 *
 * Statements run prepared (`execute`: the driver prepares each text once per connection and
 * then sends only its parameters, in the binary protocol). The bearer request's read (then of
 * four tables) cost the database 65 µs of CPU as text and 43 µs prepared, and the service 44 µs
 * against 32 µs (32 clients on a pool of 10). A prepared statement binds one value per `?`:
 * a list needs one placeholder per item (see admin.queries.ts).
 */
@Injectable()
export class SqlClient implements SqlExecutor {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  /**
   * One statement on its own (autocommit). A statement chosen as a deadlock victim, which on a
   * Galera cluster is also how a write that lost certification to another node ends, took no
   * effect, so it is simply run again: callers that write several statements at once (a login)
   * must not repeat the ones that did take effect.
   */
  async query<T = unknown>(sql: string, params: unknown[] = []): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await untracedWhileQueued(() => this.pool.execute<T>(sql, params));
      } catch (error) {
        if (!isDeadlock(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
      }
    }
  }

  /** The pool's connections in use and idle, and the statements waiting for one (metrics). */
  poolUsage(): { inUse: number; idle: number; waiting: number } {
    return {
      inUse: this.pool.activeConnections(),
      idle: this.pool.idleConnections(),
      waiting: this.pool.taskQueueSize(),
    };
  }

  /**
   * Runs `work` on one connection in a transaction: committed if it resolves, rolled back if it
   * throws. A transaction the database rolled back as a lock conflict is run again, a few times:
   * on a Galera cluster every conflict with a concurrent write on another node ends so, often at
   * COMMIT (docs/scaling.md). `work` must therefore touch nothing but `tx`.
   */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(work);
      } catch (error) {
        if (!isLockConflict(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
      }
    }
  }

  private async once<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const connection = await untracedWhileQueued(() => this.pool.getConnection());
    try {
      await connection.beginTransaction();
      const result = await work({
        query: <R>(sql: string, params: unknown[] = []) => connection.execute<R>(sql, params),
      });
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    } finally {
      await connection.release();
    }
  }
}

/**
 * Whenever the mariadb pool has no idle connection (every moment of a busy service: 32 clients
 * share 10 connections in `npm run bench`) it builds an Error, stack trace and all, only to
 * decide to queue the request, and throws it away. Capturing that trace was about a tenth of a
 * bearer request's CPU (measured: 137-165 µs against 169-181 µs per request), so none is taken
 * while the pool is called. The driver's real failures (the database's answers, a timeout) come
 * later and keep theirs; only an error it raises on the spot, such as a missing parameter, comes
 * without a trace, its message naming the statement.
 */
function untracedWhileQueued<T>(call: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return call();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The name of the unique key a statement collided with (ER_DUP_ENTRY), else undefined. */
export function duplicateKeyOf(error: unknown): string | undefined {
  const { code, sqlMessage } = error as { code?: unknown; sqlMessage?: unknown };
  if (code !== 'ER_DUP_ENTRY' || typeof sqlMessage !== 'string') return undefined;
  // MariaDB: "… for key 'wx_user_app_id_openid_key'"; MySQL 8: "… for key 'wx_user.wx_user_app_id_openid_key'".
  const match = /for key '(?:[^'.]+\.)?([^']+)'/.exec(sqlMessage);
  return match?.[1];
}

/**
 * InnoDB may pick one of several concurrent writers of the same keys as a deadlock victim, and a
 * Galera cluster fails the later of two conflicting commits the same way; the work is safe to
 * repeat from the start.
 */
export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/**
 * Narrower than {@link isLockConflict}: a lock wait timeout is not run again per statement,
 * where another wait would outlast the statement deadline for nothing.
 */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ER_LOCK_DEADLOCK';
}

/** A foreign key's parent row vanished under the statement (a concurrent delete). */
export function isMissingParent(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ER_NO_REFERENCED_ROW_2';
}
