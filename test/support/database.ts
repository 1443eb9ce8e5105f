import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mariadb';
import { connectionSettings } from '../../src/prisma/database-url';
import {
  applyMigrations,
  dropDatabase,
  listMigrations,
  MIGRATIONS_DIR,
} from '../../src/prisma/migration-runner';

/** The database server the tests create their databases on. */
export const TEST_SERVER_URL =
  process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';

/** Brings `url` to the schema just before `migration`: every shipped migration named before it. */
export async function applyMigrationsBefore(url: string, migration: string): Promise<void> {
  const before = mkdtempSync(join(tmpdir(), 'wxauth-migrations-'));
  try {
    for (const { name } of listMigrations(MIGRATIONS_DIR)) {
      if (name >= migration) break;
      cpSync(join(MIGRATIONS_DIR, name), join(before, name), { recursive: true });
    }
    await applyMigrations(url, before);
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}

export interface TestDatabase {
  url: string;
  /** Runs SQL on the test database (for checking what the service wrote). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file; dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = `${TEST_SERVER_URL}/wxauth_test_${randomBytes(6).toString('hex')}`;
  await applyMigrations(url);
  const connection = await createConnection({ ...connectionSettings(url), bigIntAsNumber: true });
  return {
    url,
    query: <T>(sql: string, params: unknown[] = []): Promise<T[]> => connection.query(sql, params),
    drop: async () => {
      await connection.end();
      await dropDatabase(url);
    },
  };
}
