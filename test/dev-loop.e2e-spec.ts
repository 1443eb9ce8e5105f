import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { dropDatabase, listMigrations } from '../src/prisma/migration-runner';
import { freePort } from '../scripts/processes';
import { TEST_SERVER_URL } from './support/database';
import { call } from './support/http';

const ROOT = join(__dirname, '..');

/**
 * `npm run dev` with the settings of .env.example (given as real variables, which win over any
 * .env of the developer), on free ports and a database of its own.
 */
describe('npm run dev with .env.example', () => {
  const databaseUrl = `${TEST_SERVER_URL}/wxauth_test_dev_${randomBytes(4).toString('hex')}`;
  let dev: ChildProcess;
  let output = '';
  let servicePort: number;
  let emulatorPort: number;

  beforeAll(async () => {
    [servicePort, emulatorPort] = [await freePort(), await freePort()];
    const example = parse(readFileSync(join(ROOT, '.env.example')));
    dev = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'dev.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...example,
        PORT: String(servicePort),
        EMULATOR_PORT: String(emulatorPort),
        WECHAT_API_BASE_URL: `http://127.0.0.1:${emulatorPort}`,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (let waited = 0; !output.includes('Ctrl-C stops everything'); waited += 100) {
      if (waited > 60_000 || dev.exitCode !== null)
        throw new Error(`dev did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      dev.kill('SIGTERM');
      await exited;
    }
    await dropDatabase(databaseUrl);
  });

  it('migrates, then prints a banner that matches what runs', () => {
    const migrations = listMigrations().length;
    expect(output).toContain(
      `created, ${migrations} migration${migrations === 1 ? '' : 's'} applied`,
    );
    expect(output).toContain('login service, development mode');
    expect(output).toContain(`POST http://127.0.0.1:${emulatorPort}/__emulator/login-code`);
  });

  it('starts the service once: the compiler’s first pass does not restart it', async () => {
    const before = await call(`http://127.0.0.1:${servicePort}/health`);
    expect(before.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(output.match(/"msg":"service listening"/g)).toHaveLength(1);
    expect(output).not.toMatch(/Restarting/);
  }, 15_000);

  it('logs in through the emulator, the development flow end to end', async () => {
    const minted = await call(`http://127.0.0.1:${emulatorPort}/__emulator/login-code`, {
      body: {},
    });
    const login = await call(`http://127.0.0.1:${servicePort}/auth/wechat/login`, {
      body: { code: minted.body.code },
    });
    expect(login.status).toBe(200);
    expect(login.body.accessToken).toEqual(expect.any(String));
  });

  it('serves Swagger UI under plain node (content-disposition loads without require(esm))', async () => {
    const css = await call(`http://127.0.0.1:${servicePort}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });
});
