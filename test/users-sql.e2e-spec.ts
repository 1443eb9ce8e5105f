import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { createPool, type Pool } from 'mariadb';
import { PrismaClient } from '../src/generated/prisma/client';
import { connectionSettings } from '../src/prisma/database-url';
import { SqlClient } from '../src/prisma/sql-client';
import {
  AccountIdentityRow,
  SELECT_ACCOUNT,
  toAccountWithIdentities,
} from '../src/users/users.queries';
import { createTestDatabase, TestDatabase } from './support/database';

/*
 * The hand-written column lists of src/users/users.queries.ts are kept by hand: what they read
 * must equal what Prisma's client reads for the same rows, field by field and type by type.
 */
describe('the users module hand-written SQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool({ ...connectionSettings(db.url), connectionLimit: 2 });
    prisma = new PrismaClient({ adapter: new PrismaMariaDb(connectionSettings(db.url)) });
    await db.query(
      `INSERT INTO account (id, nickname, avatar_url, gender, phone, phone_country_code, status,
         login_count, last_login_at, last_login_ip, created_at, updated_at)
       VALUES (7, '小明😀', 'https://example.com/a.png', 2, '+12025550123', '1', 'disabled', 4,
         '2026-03-04 05:06:07.891', '2001:db8::1', '2026-01-01 00:00:00.001', '2026-03-04 05:06:07.891')`,
    );
    await db.query(
      `INSERT INTO wx_user (id, account_id, app_id, openid, unionid, session_key_cipher,
         session_key_kid, session_key_updated_at, login_count, last_login_at, last_login_ip,
         created_at, updated_at)
       VALUES (11, 7, 'wx1234567890abcdef', 'o-mini', 'u-1', 'cipher', 'kid1',
         '2026-03-04 05:06:07.891', 3, '2026-03-04 05:06:07.891', '203.0.113.9',
         '2026-01-01 00:00:00.001', '2026-03-04 05:06:07.891'),
              (12, 7, 'wx00000000000000c3', 'o-web', NULL, NULL, NULL, NULL, 1, NULL, NULL,
         '2026-02-01 00:00:00.000', '2026-02-01 00:00:00.000')`,
    );
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  it('reads an account and its identities exactly as Prisma does', async () => {
    const sql = new SqlClient(pool);
    const rows = await sql.query<AccountIdentityRow[]>(SELECT_ACCOUNT, [7n]);
    const { account, identities } = toAccountWithIdentities(rows);

    const viaPrisma = await prisma.account.findUniqueOrThrow({
      where: { id: 7n },
      include: { identities: { orderBy: { id: 'asc' } } },
    });
    const expectedAccount: Record<string, unknown> = { ...viaPrisma };
    delete expectedAccount.identities;
    delete expectedAccount.createdForUnionid;
    delete expectedAccount.updatedAt;
    expect(account).toStrictEqual(expectedAccount);

    expect(identities).toStrictEqual(
      viaPrisma.identities.map((identity) => {
        const expected: Record<string, unknown> = { ...identity };
        delete expected.sessionKeyUpdatedAt;
        delete expected.updatedAt;
        return expected;
      }),
    );
  });
});
