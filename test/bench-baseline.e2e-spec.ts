import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mariadb';
import { connectionSettings } from '../src/prisma/database-url';
import { dropDatabase } from '../src/prisma/migration-runner';
import { Spawned, startProcess, stopProcess } from '../scripts/processes';
import { TEST_SERVER_URL } from './support/database';

const ROOT = join(__dirname, '..');
const COPY = join(ROOT, 'bench', 'baseline.mjs');
const SHARED = join(ROOT, '..', 'shared', 'bench', 'baseline.mjs');

/** The bench's yardstick is the shared bare baseline, byte for byte. */
describe('bench/baseline.mjs', () => {
  const sharedPresent = existsSync(SHARED);
  (sharedPresent ? it : it.skip)(
    sharedPresent
      ? 'is a verbatim copy of ../shared/bench/baseline.mjs'
      : 'is a verbatim copy of ../shared/bench/baseline.mjs (SKIPPED: that file is absent here)',
    () => {
      expect(readFileSync(COPY).equals(readFileSync(SHARED))).toBe(true);
    },
  );

  describe('started as the bench starts it (PORT=0, its address in a URL file)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
    const database = `wxauth_test_bare_${randomBytes(4).toString('hex')}`;
    const server = connectionSettings(`${TEST_SERVER_URL}/${database}`);
    let baseline: Spawned;

    const databaseExists = async () => {
      const admin = await createConnection({ ...server, database: undefined });
      try {
        const rows = await admin.query<unknown[]>('SHOW DATABASES LIKE ?', [database]);
        return rows.length > 0;
      } finally {
        await admin.end();
      }
    };

    beforeAll(async () => {
      baseline = await startProcess({
        name: 'baseline',
        entry: COPY,
        urlFile: join(directory, 'url.json'),
        healthPath: '/health',
        logFile: join(directory, 'baseline.log'),
        env: {
          // Not contacted: only logins go to WeChat.
          WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
          WECHAT_APP_ID: 'wxtest',
          WECHAT_APP_SECRET: 'secret',
          JWT_SECRET: randomBytes(32).toString('hex'),
          SESSION_KEY_SECRET: randomBytes(32).toString('hex'),
          PORT: '0',
          BASELINE_URL_FILE: join(directory, 'url.json'),
          BASELINE_DB: database,
          DB_HOST: String(server.host),
          DB_PORT: String(server.port),
          DB_USER: String(server.user),
          DB_PASSWORD: String(server.password ?? ''),
        },
      });
    }, 30_000);

    afterAll(async () => {
      if (baseline) await stopProcess(baseline.child);
      await dropDatabase(`${TEST_SERVER_URL}/${database}`);
      rmSync(directory, { recursive: true, force: true });
    });

    it('resolves its mariadb import from the repo, creates its database and answers', async () => {
      expect(baseline.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await databaseExists()).toBe(true);
      const me = await fetch(`${baseline.url}/users/me`);
      expect(me.status).toBe(401);
    });

    it('drops its database when stopped', async () => {
      await stopProcess(baseline.child);
      expect(baseline.child.exitCode).toBe(0);
      expect(await databaseExists()).toBe(false);
    });
  });
});
