import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, createConnection } from 'mariadb';
import { connectionSettings } from '../src/prisma/database-url';
import {
  applyMigrations,
  dropDatabase,
  listMigrations,
  MIGRATIONS_DIR,
} from '../src/prisma/migration-runner';
import { TEST_SERVER_URL } from './support/database';

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/** The migration folders as Prisma sees them: name and sha256 of migration.sql, in name order. */
function migrationsOnDisk(dir: string) {
  return listMigrations(dir).map(({ name }) => ({
    name,
    checksum: createHash('sha256')
      .update(readFileSync(join(dir, name, 'migration.sql')))
      .digest('hex'),
  }));
}

describe('migration runner', () => {
  const url = `${TEST_SERVER_URL}/wxauth_migrate_${randomBytes(6).toString('hex')}`;
  const shipped = migrationsOnDisk(MIGRATIONS_DIR);
  let connection: Connection;
  let workDir: string;

  const rows = () =>
    connection.query<MigrationRow[]>(
      'SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name',
    );

  /** A copy of prisma/migrations that a test may change. */
  const copyOfMigrations = (): string => {
    const dir = mkdtempSync(join(workDir, 'migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    return dir;
  };

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'wxauth-migrations-'));
  });

  afterAll(async () => {
    await connection?.end();
    await dropDatabase(url);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('finds the shipped migrations, the initial schema then the accounts', () => {
    // More than one, so "applies every migration" also proves they apply in sequence.
    expect(shipped.length).toBeGreaterThanOrEqual(2);
    expect(shipped.map((m) => m.name)).toContain('20261124000000_accounts');
  });

  it('creates a missing database in utf8mb4_unicode_ci and applies every migration', async () => {
    const result = await applyMigrations(url);

    expect(result).toEqual({
      createdDatabase: true,
      applied: shipped.map((m) => m.name),
      alreadyApplied: [],
    });
    const { database, ...server } = connectionSettings(url);
    connection = await createConnection({ ...server, database });
    const [schema] = await connection.query<Array<{ charset: string; collation: string }>>(
      `SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation
         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
      [database],
    );
    expect(schema).toEqual({ charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' });
    const tables = await connection.query<Array<{ name: string }>>(
      'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
    );
    expect(tables.map((t) => t.name).sort()).toEqual(
      [
        '_prisma_migrations',
        'account',
        'audit_log',
        'auth_session',
        'login_log',
        'refresh_token',
        'wx_user',
      ].sort(),
    );
  });

  it('records each migration in _prisma_migrations the way Prisma does', async () => {
    const columns = await connection.query<Array<{ name: string; type: string }>>(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_prisma_migrations'
        ORDER BY ORDINAL_POSITION`,
    );
    expect(columns.map((c) => c.name)).toEqual([
      'id',
      'checksum',
      'finished_at',
      'migration_name',
      'logs',
      'rolled_back_at',
      'started_at',
      'applied_steps_count',
    ]);

    const recorded = await rows();
    expect(recorded.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(
      shipped,
    );
    for (const row of recorded) {
      expect(row.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
  });

  it('applies nothing on a second run', async () => {
    const before = await rows();

    const result = await applyMigrations(url);

    expect(result).toEqual({
      createdDatabase: false,
      applied: [],
      alreadyApplied: shipped.map((m) => m.name),
    });
    expect(await rows()).toEqual(before);
  });

  it('refuses a migration that was changed after it was applied', async () => {
    const dir = copyOfMigrations();
    const first = shipped[0].name;
    appendFileSync(join(dir, first, 'migration.sql'), '\n-- edited afterwards\n');
    const before = await rows();

    await expect(applyMigrations(url, dir)).rejects.toThrow(
      `Migration ${first} was modified after it was applied`,
    );
    expect(await rows()).toEqual(before);
  });

  it('applies new migration folders in name order, after the applied ones', async () => {
    const dir = copyOfMigrations();
    // Written second-first: the index needs the column, so only name order succeeds.
    const later = '29991231000001_index_note';
    const earlier = '29991231000000_add_note';
    mkdirSync(join(dir, later));
    writeFileSync(
      join(dir, later, 'migration.sql'),
      '-- CreateIndex\nCREATE INDEX `wx_user_note_idx` ON `wx_user`(`note`);\n',
    );
    mkdirSync(join(dir, earlier));
    writeFileSync(
      join(dir, earlier, 'migration.sql'),
      '-- AlterTable\nALTER TABLE `wx_user` ADD COLUMN `note` VARCHAR(10) NULL;\n\n-- AlterTable\nALTER TABLE `wx_user` ADD COLUMN `note2` VARCHAR(10) NULL;\n',
    );

    const result = await applyMigrations(url, dir);

    expect(result).toEqual({
      createdDatabase: false,
      applied: [earlier, later],
      alreadyApplied: shipped.map((m) => m.name),
    });
    const added = await connection.query<Array<{ name: string }>>(
      `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'wx_user' AND COLUMN_NAME LIKE 'note%'
        ORDER BY COLUMN_NAME`,
    );
    expect(added.map((c) => c.name)).toEqual(['note', 'note2']);
    const index = await connection.query(
      `SELECT 1 FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'wx_user_note_idx'`,
    );
    expect(index).toHaveLength(1);

    const recorded = await rows();
    expect(recorded.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(
      migrationsOnDisk(dir),
    );
    const [addNote, indexNote] = recorded.slice(-2);
    expect(addNote.finished_at!.getTime()).toBeLessThanOrEqual(indexNote.started_at.getTime());
    expect(
      recorded.every((r) => r.finished_at !== null && Number(r.applied_steps_count) === 1),
    ).toBe(true);
    expect(await applyMigrations(url, dir)).toEqual({
      createdDatabase: false,
      applied: [],
      alreadyApplied: migrationsOnDisk(dir).map((m) => m.name),
    });
  });

  it('stops at a failing migration and does not mark it finished', async () => {
    const dir = copyOfMigrations();
    const broken = '29991231000002_broken';
    mkdirSync(join(dir, broken));
    writeFileSync(
      join(dir, broken, 'migration.sql'),
      'ALTER TABLE `no_such_table` ADD COLUMN `x` INT;\n',
    );
    const after = '29991231000003_after_broken';
    mkdirSync(join(dir, after));
    writeFileSync(
      join(dir, after, 'migration.sql'),
      'CREATE TABLE `after_broken` (`id` INT PRIMARY KEY);\n',
    );

    await expect(applyMigrations(url, dir)).rejects.toThrow(/no_such_table/);

    const recorded = await rows();
    const failed = recorded.filter((r) => r.migration_name === broken);
    expect(failed).toHaveLength(1);
    expect(failed[0].finished_at).toBeNull();
    expect(recorded.some((r) => r.migration_name === after)).toBe(false);
    expect(failed[0].logs).toMatch(/no_such_table/);

    // Like `prisma migrate deploy` (P3009): nothing more runs until the failure is resolved.
    await expect(applyMigrations(url, dir)).rejects.toThrow(/failed earlier and is not resolved/);
    expect((await rows()).filter((r) => r.migration_name === broken)).toHaveLength(1);
  });
});
