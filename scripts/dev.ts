/*
 * `npm run dev`: the whole login flow on a machine with only Node and a local MySQL/MariaDB.
 * Creates and migrates the database, starts the WeChat emulator, then the service in watch
 * mode (TypeScript recompiles, the service restarts), and prints where everything is.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadAppConfig } from '../src/config/app-config';
import { loadEnvironment } from '../src/config/environment';
import { applyMigrations } from '../src/prisma/migration-runner';

const root = join(__dirname, '..', '..');
const children: ChildProcess[] = [];

function start(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
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

async function main(): Promise<void> {
  const emulatorPort = process.env.EMULATOR_PORT ?? '4010';
  const fileAndEnv = await loadEnvironment();
  // WeChat cannot be reached from a developer's machine without credentials: unless told
  // otherwise, the emulator plays it.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: fileAndEnv.NODE_ENV ?? 'development',
    WECHAT_API_BASE_URL: fileAndEnv.WECHAT_API_BASE_URL ?? `http://127.0.0.1:${emulatorPort}`,
    EMULATOR_PORT: emulatorPort,
  };
  const config = loadAppConfig({ ...fileAndEnv, ...env });

  const migration = await applyMigrations(config.databaseUrl);
  const database = new URL(config.databaseUrl);
  console.log(
    `[dev] database ${database.host}${database.pathname}: ${migration.createdDatabase ? 'created, ' : ''}` +
      `${migration.applied.length} migration(s) applied, ${migration.alreadyApplied.length} already there`,
  );

  start('emulator', process.execPath, [join('dist', 'emulator', 'main.js')], env);
  start(
    'compiler',
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--watch',
      '--preserveWatchOutput',
    ],
    env,
  );
  start(
    'service',
    process.execPath,
    ['--watch-path=dist/src', '--watch-preserve-output', join('dist', 'src', 'main.js')],
    env,
  );

  const api = `http://localhost:${config.port}`;
  const usingEmulator = config.wechat.apiBaseUrl.includes(`127.0.0.1:${emulatorPort}`);
  console.log(`
[dev] WeChat Mini Program login service, development mode
      API        ${api}            (try: npm run demo)
      API docs   ${api}/docs       (OpenAPI JSON at ${api}/docs-json)
      Health     ${api}/health/ready
      WeChat     ${config.wechat.apiBaseUrl}${usingEmulator ? '   (the emulator; mint codes at /__emulator/login-code)' : ''}
      Studio     npm run studio   (browse users, sessions and the login log)
      Edit src/: the service recompiles and restarts. Ctrl-C stops everything.
`);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
main().catch((error: unknown) => {
  console.error(`[dev] cannot start: ${(error as Error).message}`);
  stop(1);
});
