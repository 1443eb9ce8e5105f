/*
 * `npm run dev`: the whole login flow on a machine with only Node and a local MySQL/MariaDB.
 * Creates and migrates the database, starts the WeChat emulator and the TypeScript compiler in
 * watch mode, then (after the compiler's first pass, so that pass does not restart it) the
 * service, which restarts on every later change; prints where everything is once it answers.
 * The service runs from the compiled files as they are (dist/src/service.js), not from the
 * bundle `npm run build` makes for `npm start`, which the watch does not rebuild.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadAppConfig } from '../src/config/app-config';
import { loadEnvironment } from '../src/config/environment';
import { applyMigrations } from '../src/prisma/migration-runner';
import { DEV_WECHAT_APPS } from './dev-apps';
import { devBanner, localUrl } from './dev-banner';

const root = join(__dirname, '..', '..');
const children: ChildProcess[] = [];

function start(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdout: 'inherit' | 'pipe' = 'inherit',
): ChildProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', stdout, 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`[dev] ${name} exited (${signal ?? code}); stopping`);
    stop(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}

/** `tsc --watch`, its output passed on; resolves when its first full pass is written. */
function startCompiler(env: NodeJS.ProcessEnv): Promise<void> {
  const tsc = require.resolve('typescript/bin/tsc');
  const args = [tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'];
  const compiler = start('compiler', process.execPath, args, env, 'pipe');
  return new Promise((firstPassDone) => {
    compiler.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      // tsc ends every pass, with or without errors, with this line.
      if (chunk.toString().includes('Watching for file changes')) firstPassDone();
    });
  });
}

async function waitUntilAnswering(url: string): Promise<void> {
  for (let waited = 0; waited < 30_000 && !stopping; waited += 200) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function main(): Promise<void> {
  const emulatorPort = process.env.EMULATOR_PORT ?? '4010';
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const fileAndEnv = await loadEnvironment();
  // The emulator gets the same settings as the service (.env included), so it serves the apps
  // of WECHAT_APP_ID and WECHAT_APPS. Without a WeChat URL, the emulator plays WeChat.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...fileAndEnv,
    NODE_ENV: fileAndEnv.NODE_ENV || 'development',
    WECHAT_API_BASE_URL: fileAndEnv.WECHAT_API_BASE_URL || emulatorUrl,
    WECHAT_APPS: fileAndEnv.WECHAT_APPS || DEV_WECHAT_APPS,
    EMULATOR_PORT: emulatorPort,
  };
  const config = loadAppConfig(env);

  const migration = await applyMigrations(config.databaseUrl);
  const database = new URL(config.databaseUrl);
  const count = (n: number) => `${n} migration${n === 1 ? '' : 's'}`;
  console.log(
    `[dev] database ${database.host}${database.pathname}: ${migration.createdDatabase ? 'created, ' : ''}` +
      `${count(migration.applied.length)} applied, ${migration.alreadyApplied.length} already there`,
  );

  start('emulator', process.execPath, [join('dist', 'emulator', 'main.js')], env);
  await startCompiler(env);
  if (stopping) return;
  start(
    'service',
    process.execPath,
    ['--watch-path=dist/src', '--watch-preserve-output', join('dist', 'src', 'service.js')],
    env,
  );
  await waitUntilAnswering(`${localUrl(config.host, config.port)}/health`);
  if (!stopping) console.log(devBanner(config, emulatorUrl));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
main().catch((error: unknown) => {
  const problems = error instanceof ConfigError ? error.problems : [(error as Error).message];
  for (const problem of problems) console.error(`[dev] cannot start: ${problem}`);
  stop(1);
});
