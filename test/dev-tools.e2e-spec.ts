import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { devBanner } from '../scripts/dev-banner';
import { loadAppConfig } from '../src/config/app-config';
import { dropDatabase } from '../src/prisma/migration-runner';
import { TEST_SERVER_URL } from './support/database';

const run = promisify(execFile);
const BENCH = join(__dirname, '..', 'dist', 'bench', 'run.js');
const EMULATOR_URL = 'http://127.0.0.1:4010';

describe('npm run bench -- --help', () => {
  it('prints the usage and exits 0 without benchmarking', async () => {
    const { stdout, stderr } = await run(process.execPath, [BENCH, '--help'], { timeout: 10_000 });
    expect(stdout).toMatch(/^Usage: npm run bench/);
    expect(stdout).toContain('BENCH_DURATION');
    expect(stdout).not.toContain('[bench');
    expect(stderr).toBe('');
  });

  it('refuses an unknown argument with the usage and exit code 2', async () => {
    const failure = await run(process.execPath, [BENCH, '--rounds=1'], { timeout: 10_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('unknown argument(s) --rounds=1');
  });

  it.each([
    [
      'BENCH_ALGORITHMS',
      'RS999',
      'BENCH_ALGORITHMS must list some of HS256, ES256, EdDSA, not RS999',
    ],
    ['BENCH_ROUNDS', 'three', 'BENCH_ROUNDS must be a number'],
  ])(
    'refuses %s=%s in one line with exit code 2, before benchmarking',
    async (name, value, message) => {
      const failure = await run(process.execPath, [BENCH], {
        timeout: 10_000,
        env: { ...process.env, [name]: value },
      }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr.trim()).toBe(
        `bench: ${message} (npm run bench -- --help lists the settings)`,
      );
      expect(failure?.stdout).toBe('');
    },
  );
});

describe('the npm run dev banner', () => {
  it('states development mode and the emulator, with the method of its login-code route', () => {
    const banner = devBanner(
      loadAppConfig({ WECHAT_API_BASE_URL: EMULATOR_URL, HOST: '127.0.0.1' }),
      EMULATOR_URL,
    );
    expect(banner).toContain('login service, development mode');
    expect(banner).toContain(`WeChat     ${EMULATOR_URL}   (the emulator;`);
    expect(banner).toContain(`POST ${EMULATOR_URL}/__emulator/login-code`);
    expect(banner).toContain('API        http://127.0.0.1:3000 ');
  });

  it('tells the truth when the settings say production and the real WeChat', () => {
    const config = loadAppConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/wxauth',
      WECHAT_APP_ID: 'wx0f1e2d3c4b5a6978',
      WECHAT_APP_SECRET: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      JWT_SECRET: 'Kx7#pQ2vLm9zR4tW8yB1nC6dF3gH5jS0aE',
      SESSION_KEY_SECRET: '00112233445566778899aabbccddeeff'.repeat(2),
    });
    const banner = devBanner(config, EMULATOR_URL);
    expect(banner).toContain('PRODUCTION mode');
    expect(banner).not.toContain('development mode');
    expect(banner).toContain('WeChat     https://api.weixin.qq.com   (NOT the emulator');
    expect(banner).not.toContain('(the emulator;');
  });
});

describe('npm run db:migrate', () => {
  const databaseUrl = `${TEST_SERVER_URL}/wxauth_test_cli_${randomBytes(4).toString('hex')}`;
  const MIGRATE = join(__dirname, '..', 'dist', 'src', 'prisma', 'migrate.js');
  const migrate = () =>
    run(process.execPath, [MIGRATE], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
      timeout: 20_000,
    });
  afterAll(() => dropDatabase(databaseUrl));

  it('counts migrations in words that agree with the number ("1 migration", "2 migrations")', async () => {
    const count = readdirSync(join(__dirname, '..', 'prisma', 'migrations'), {
      withFileTypes: true,
    }).filter((entry) => entry.isDirectory()).length;
    await migrate();
    const { stdout } = await migrate();
    expect(stdout).toContain(`is up to date (${count} migration${count === 1 ? '' : 's'})`);
  });
});
