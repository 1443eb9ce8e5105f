import { randomBytes } from 'node:crypto';
import { createConnection } from 'mariadb';
import { connectionSettings } from '../../src/prisma/database-url';
import { applyMigrations, dropDatabase } from '../../src/prisma/migration-runner';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  url: string;
  /** Runs SQL on the test database (for checking what the service wrote). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file; dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = `${SERVER_URL}/wxauth_test_${randomBytes(6).toString('hex')}`;
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
