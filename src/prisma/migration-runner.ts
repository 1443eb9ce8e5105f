import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createConnection } from 'mariadb';
import { connectionSettings } from './database-url';

/** prisma/migrations of this project, found from both src/ (tests) and dist/src/ (built). */
function findMigrationsDir(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
  }
  throw new Error('prisma/migrations not found');
}

export const MIGRATIONS_DIR = findMigrationsDir(__dirname);

/*
 * Applies prisma/migrations the way `prisma migrate deploy` does, bookkeeping included
 * (the `_prisma_migrations` table, sha256 checksums), so a database migrated here can later
 * be taken over by `prisma migrate deploy` and vice versa. Written by hand because Prisma's
 * migrate needs its schema-engine binary, which cannot be downloaded on machines without
 * internet (and npm's wasm build of it does not support MySQL).
 */

const BOOKKEEPING_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

export interface MigrationResult {
  createdDatabase: boolean;
  applied: string[];
  alreadyApplied: string[];
}

export function listMigrations(
  dir = MIGRATIONS_DIR,
): Array<{ name: string; sql: string; checksum: string }> {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(name)) throw new Error(`Unsupported database name: ${name}`);
  return `\`${name}\``;
}

/** Creates the database when missing (utf8mb4), then applies every pending migration in order. */
export async function applyMigrations(
  databaseUrl: string,
  dir = MIGRATIONS_DIR,
): Promise<MigrationResult> {
  const { database, ...server } = connectionSettings(databaseUrl);
  const admin = await createConnection({ ...server, connectTimeout: 5000 });
  let createdDatabase = false;
  try {
    const existing: unknown[] = await admin.query(
      'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [database],
    );
    if (existing.length === 0) {
      await admin.query(
        `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      createdDatabase = true;
    }
  } finally {
    await admin.end();
  }

  const connection = await createConnection({
    ...server,
    database,
    multipleStatements: true,
    connectTimeout: 5000,
  });
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  try {
    await connection.query(BOOKKEEPING_TABLE);
    const rows: Array<{ migration_name: string; checksum: string; finished_at: Date | null }> =
      await connection.query(
        'SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL',
      );
    // Like `prisma migrate deploy` (P3009): a failed migration must be resolved by a person
    // (fix the database, then mark it rolled back) before anything else is applied.
    const failed = rows.find((row) => row.finished_at === null);
    if (failed) {
      throw new Error(
        `Migration ${failed.migration_name} failed earlier and is not resolved; fix the database, then set rolled_back_at on its _prisma_migrations row (or run \`prisma migrate resolve --rolled-back ${failed.migration_name}\`)`,
      );
    }
    const done = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    for (const migration of listMigrations(dir)) {
      const previous = done.get(migration.name);
      if (previous !== undefined) {
        if (previous !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was modified after it was applied`);
        }
        alreadyApplied.push(migration.name);
        continue;
      }
      const id = randomUUID();
      await connection.query(
        'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, CURRENT_TIMESTAMP(3), 0)',
        [id, migration.checksum, migration.name],
      );
      // MySQL commits DDL implicitly, so like Prisma we record success only after the script
      // ran, and keep the error in `logs` when it did not.
      try {
        await connection.query(migration.sql);
      } catch (error) {
        await connection.query('UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [
          (error as Error).message,
          id,
        ]);
        throw error;
      }
      await connection.query(
        'UPDATE _prisma_migrations SET finished_at = CURRENT_TIMESTAMP(3), applied_steps_count = 1 WHERE id = ?',
        [id],
      );
      applied.push(migration.name);
    }
  } finally {
    await connection.end();
  }
  return { createdDatabase, applied, alreadyApplied };
}

/** Drops a database; for tests that create their own. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { database, ...server } = connectionSettings(databaseUrl);
  const admin = await createConnection({ ...server, connectTimeout: 5000 });
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}
