/**
 * `npm run bench`: the compiled service (production mode, own process) against a
 * hand-written baseline (bench/baseline/server.ts) on the same fresh database, with the
 * WeChat emulator in a third process. Prints a markdown table and writes it to
 * bench/results/latest.md. Settings: see bench/README.md.
 */
import { createConnection, Connection } from 'mariadb';
import { startScriptNodeFlags } from '../scripts/start-flags';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { connectionSettings } from '../src/prisma/database-url';
import { applyMigrations, dropDatabase } from '../src/prisma/migration-runner';
import { CpuMeter, pidOf } from './lib/cpu';
import { CodeMinter, drive, inParallel, LoadRequest, postJson } from './lib/load';
import {
  freePort,
  killAllChildren,
  memoryOf,
  sleep,
  Spawned,
  startProcess,
  stopProcess,
} from '../scripts/processes';
import { summarizeProfile } from './lib/profile-summary';
import {
  BenchReport,
  renderMarkdown,
  Run,
  Scenario,
  SCENARIOS,
  Target,
  verdicts,
} from './lib/report';

const ROOT = resolve(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
// Production refuses the emulator's development pair, so each run makes up its own app.
const APP_ID = `wx${randomBytes(8).toString('hex')}`;
const APP_SECRET = randomBytes(16).toString('hex');
const COUNTERS = [
  'Com_stmt_prepare',
  'Com_stmt_execute',
  'Com_stmt_close',
  'Com_select',
  'Com_insert',
  'Com_begin',
  'Com_commit',
  'Questions',
];

const USAGE = `Usage: npm run bench            (settings are environment variables)

Measures the built service (production mode, its own process) against the hand-written
baseline on a fresh database, with the WeChat emulator playing WeChat. Writes
bench/results/latest.md and latest.json. Needs MariaDB/MySQL; builds first.

  BENCH_CONNECTIONS=50         concurrent keep-alive connections
  BENCH_DURATION=10            seconds per measured run
  BENCH_ROUNDS=3               rounds (each runs every scenario on both targets)
  BENCH_WARMUP=3               seconds of warm-up per scenario and target
  BENCH_COLD_STARTS=5          cold starts timed per target
  BENCH_SCENARIOS=me,login     which scenarios to run
  BENCH_USERS=1000             returning users
  BENCH_TOKENS=200             users whose tokens GET /users/me uses
  BENCH_NEW_USER_SHARE=0.05    share of logins by new users
  BENCH_LOG_LEVEL=info         the service's LOG_LEVEL
  BENCH_SERVICE_ENTRY=dist/src/main.js   another build of the service to measure
  BENCH_SERVICE_NODE_ARGS=...  node flags for the service (default: those of npm start)
  BENCH_SERVICE_ENV="A=1 B=2"  extra environment of the service
  BENCH_PROFILE=1              CPU-profile both targets during the last round
  BENCH_DATABASE_SERVER=mysql://root@127.0.0.1:3306   where to create the database
  BENCH_TIMEOUT_S=900          the whole run gives up (and cleans up) after this
  BENCH_STRICT=1               exit 1 when a target is missed

Example: BENCH_DURATION=5 BENCH_ROUNDS=1 npm run bench
More in bench/README.md.`;

// Settings are environment variables; an argument is either a request for help or a mistake.
const args = process.argv.slice(2);
if (args.length > 0) {
  const help = args.every((arg) => arg === '--help' || arg === '-h');
  (help ? console.log : console.error)(
    help ? USAGE : `bench: unknown argument(s) ${args.join(' ')}\n\n${USAGE}`,
  );
  process.exit(help ? 0 : 2);
}

const setting = (name: string, fallback: string): string => process.env[name] || fallback;

const num = (name: string, fallback: number): number => {
  const value = Number(setting(name, String(fallback)));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return value;
};
const cfg = {
  connections: num('BENCH_CONNECTIONS', 50),
  durationS: num('BENCH_DURATION', 10),
  rounds: num('BENCH_ROUNDS', 3),
  warmupS: num('BENCH_WARMUP', 3),
  coldStarts: num('BENCH_COLD_STARTS', 5),
  users: num('BENCH_USERS', 1000),
  tokens: num('BENCH_TOKENS', 200),
  newUserShare: num('BENCH_NEW_USER_SHARE', 0.05),
  logLevel: setting('BENCH_LOG_LEVEL', 'info'),
  scenarios: setting('BENCH_SCENARIOS', 'me,login').split(','),
  profile: setting('BENCH_PROFILE', '0') === '1',
  // By default the service runs with the node flags of `npm start`, as production does.
  serviceNodeArgs: setting('BENCH_SERVICE_NODE_ARGS', startScriptNodeFlags(ROOT).join(' '))
    .split(' ')
    .filter(Boolean),
  serviceEnv: Object.fromEntries(
    setting('BENCH_SERVICE_ENV', '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  ),
  serviceEntry: resolve(ROOT, setting('BENCH_SERVICE_ENTRY', 'dist/src/main.js')),
  server: setting('BENCH_DATABASE_SERVER', 'mysql://root@127.0.0.1:3306').replace(/\/+$/, ''),
  timeoutS: num('BENCH_TIMEOUT_S', 900),
};

function say(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Which code was measured: the commit, and whether src/ had uncommitted changes when built. */
function sourceVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'src').length > 0;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted src changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

async function statusCounters(db: Connection): Promise<Record<string, number>> {
  const rows = await db.query<
    Array<{
      Variable_name: string;
      Value: string;
    }>
  >(`SHOW GLOBAL STATUS WHERE Variable_name IN (${COUNTERS.map(() => '?').join(',')})`, COUNTERS);
  return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
}

async function main(): Promise<void> {
  for (const entry of [
    cfg.serviceEntry,
    join(ROOT, 'dist/emulator/main.js'),
    join(ROOT, 'dist/bench/baseline/server.js'),
  ]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
  const logs = join(RESULTS, 'logs');
  const profiles = join(RESULTS, 'profiles');
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  if (cfg.profile) mkdirSync(profiles, { recursive: true });

  const databaseUrl = `${cfg.server}/wxauth_bench_${randomBytes(4).toString('hex')}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  let finished = false;
  const cleanup = async () => {
    for (const step of cleanups.reverse())
      await step().catch((error: unknown) => console.error('cleanup:', error));
  };
  const timer = setTimeout(() => {
    console.error(`bench: gave up after ${cfg.timeoutS} s`);
    killAllChildren();
    void dropDatabase(databaseUrl).finally(() => process.exit(2));
  }, cfg.timeoutS * 1000);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllChildren();
      void dropDatabase(databaseUrl).finally(() => process.exit(130));
    });
  }

  try {
    say(`database ${new URL(databaseUrl).pathname.slice(1)}`);
    cleanups.push(() => dropDatabase(databaseUrl));
    await applyMigrations(databaseUrl);
    const db = await createConnection(connectionSettings(databaseUrl));
    cleanups.push(() => db.end());

    const emulatorPort = await freePort();
    const emulator = await startProcess({
      name: 'emulator',
      entry: join(ROOT, 'dist/emulator/main.js'),
      port: emulatorPort,
      env: {
        EMULATOR_PORT: String(emulatorPort),
        WECHAT_APP_ID: APP_ID,
        WECHAT_APP_SECRET: APP_SECRET,
      },
      healthPath: '/__emulator/health',
      logFile: join(logs, 'emulator.log'),
    });
    cleanups.push(() => stopProcess(emulator.child));
    const watch = (spawned: Spawned) =>
      void spawned.exited.then((code) => {
        if (!finished)
          say(`WARNING: ${spawned.name} exited (code ${code}) during the run; see its log`);
      });
    watch(emulator);

    const secrets = {
      DATABASE_URL: databaseUrl,
      WECHAT_APP_ID: APP_ID,
      WECHAT_APP_SECRET: APP_SECRET,
      WECHAT_API_BASE_URL: emulator.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SESSION_KEY_SECRET: randomBytes(32).toString('hex'),
    };
    const profileHook = ['--require', join(ROOT, 'dist/bench/profile-hook.js')];
    const start = async (target: Target, profiled: boolean): Promise<Spawned> => {
      const port = await freePort();
      const env: Record<string, string> = {
        ...secrets,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        LOG_LEVEL: cfg.logLevel,
        LOGIN_RATE_LIMIT: '1000000000',
        LOGIN_RATE_WINDOW: '1s',
        ...(profiled ? { BENCH_PROFILE_DIR: profiles } : {}),
        ...(target === 'service' ? cfg.serviceEnv : {}),
      };
      return startProcess({
        name: target,
        entry:
          target === 'service' ? cfg.serviceEntry : join(ROOT, 'dist/bench/baseline/server.js'),
        port,
        env,
        healthPath: '/health',
        logFile: join(logs, `${target}.log`),
        nodeArgs: [
          ...(target === 'service' ? cfg.serviceNodeArgs : []),
          ...(profiled ? profileHook : []),
        ],
      });
    };

    const coldStartMs: BenchReport['coldStartMs'] = { service: [], baseline: [] };
    for (let i = 0; i < cfg.coldStarts; i++) {
      for (const target of ['service', 'baseline'] as const) {
        const spawned = await start(target, false);
        coldStartMs[target].push(spawned.readyMs);
        await stopProcess(spawned.child);
      }
    }
    say(`cold start service ${coldStartMs.service.map((ms) => ms.toFixed(0)).join(', ')} ms`);

    const targets: Record<Target, Spawned> = {
      service: await start('service', cfg.profile),
      baseline: await start('baseline', cfg.profile),
    };
    watch(targets.service);
    watch(targets.baseline);
    cleanups.push(
      () => stopProcess(targets.service.child),
      () => stopProcess(targets.baseline.child),
    );

    // Every user of the pool logs in once through the service, so later logins are returning users.
    const minter = new CodeMinter(
      emulator.url,
      Array.from({ length: cfg.users }, (_, i) => `oBench${String(i).padStart(8, '0')}`),
    );
    // Setup is not measured, so a login refused under the machine's load is retried (and counted).
    let setupRetries = 0;
    const logins = await inParallel(minter.openids, 16, async (openid) => {
      for (let attempt = 1; ; attempt++) {
        const [code] = await minter.batch(1, openid);
        const answer = await postJson<{ accessToken: string }>(
          `${targets.service.url}/auth/wechat/login`,
          { code },
        );
        if (answer.status === 200) return answer.body;
        if (attempt === 3) {
          throw new Error(`setup login failed: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
        setupRetries++;
      }
    });
    if (setupRetries) say(`WARNING: ${setupRetries} setup logins failed once and were retried`);
    const tokens = logins.slice(0, cfg.tokens).map((l) => `Bearer ${l.accessToken}`);
    await checkEquivalence(emulator.url, targets, tokens[0]);
    say(`${logins.length} users logged in; the two targets answer alike`);

    let tokenIndex = 0;
    const meRequest = (): LoadRequest => ({
      method: 'GET',
      path: '/users/me',
      headers: { authorization: tokens[tokenIndex++ % tokens.length] },
    });
    let bestLoginRate = 0;
    const loginRound = async (target: Target, durationS: number) => {
      const codes = await minter.mint(
        Math.ceil(Math.max(bestLoginRate, 1500) * durationS * 1.5) + 1000,
        cfg.newUserShare,
      );
      let used = 0;
      const result = await drive(targets[target].url, cfg.connections, durationS, () => ({
        method: 'POST',
        path: '/auth/wechat/login',
        body: JSON.stringify({ code: used < codes.length ? codes[used++] : 'exhausted' }),
      }));
      if (used >= codes.length) say(`WARNING: ${target} used up all ${codes.length} codes`);
      bestLoginRate = Math.max(bestLoginRate, result.reqPerSec);
      return result;
    };
    const runOnce = (scenario: Scenario, target: Target, durationS: number) =>
      scenario === 'GET /users/me'
        ? drive(targets[target].url, cfg.connections, durationS, meRequest)
        : loginRound(target, durationS);
    const scenarios = SCENARIOS.filter((s) =>
      cfg.scenarios.includes(s === 'GET /users/me' ? 'me' : 'login'),
    );

    for (const scenario of scenarios) {
      for (const target of ['service', 'baseline'] as const)
        await runOnce(scenario, target, cfg.warmupS);
    }
    say('warmed up');

    const meter = new CpuMeter({
      service: targets.service.child.pid,
      baseline: targets.baseline.child.pid,
      emulator: emulator.child.pid,
      bench: process.pid,
      mariadbd: pidOf('mariadbd'),
    });
    const runs: Run[] = [];
    const profileFiles: BenchReport['profiles'] = [];
    for (let round = 1; round <= cfg.rounds; round++) {
      const order: Target[] = round % 2 ? ['service', 'baseline'] : ['baseline', 'service'];
      for (const scenario of scenarios) {
        for (const target of order) {
          const profiling = cfg.profile && round === cfg.rounds;
          const before = await statusCounters(db);
          const cpuBefore = meter.snapshot();
          if (profiling) targets[target].child.kill('SIGWINCH');
          const result = await runOnce(scenario, target, cfg.durationS);
          if (profiling)
            profileFiles.push(await collectProfile(profiles, targets[target], target, scenario));
          const used = meter.since(cpuBefore);
          const after = await statusCounters(db);
          const statements = Object.fromEntries(
            COUNTERS.map((c) => [c, (after[c] - before[c]) / Math.max(result.total, 1)]),
          );
          const perRequest = (ms: number) => ms / Math.max(result.total, 1);
          const cpu = {
            targetMsPerReq: perRequest(used[target]),
            mariadbMsPerReq: perRequest(used.mariadbd),
            othersPercent: (100 * used.others) / (used.wall * cpus().length),
          };
          runs.push({ scenario, target, round, result, statements, cpu });
          say(
            `round ${round} ${scenario} ${target}: ${result.reqPerSec.toFixed(0)} req/s, p99 ${result.p99} ms, errors ${result.errors}`,
          );
        }
      }
    }

    const report: BenchReport = {
      settings: {
        date: new Date().toISOString(),
        source: sourceVersion(),
        node: process.version,
        cpus: cpus().length,
        connections: cfg.connections,
        'seconds per run': cfg.durationS,
        rounds: cfg.rounds,
        'service LOG_LEVEL': cfg.logLevel,
        'login mix': `${cfg.users} returning openids + ${cfg.newUserShare * 100}% new`,
        'service entry': cfg.serviceEntry.replace(`${ROOT}/`, ''),
        ...(cfg.serviceNodeArgs.length
          ? { 'service node args': cfg.serviceNodeArgs.join(' ') }
          : {}),
        ...(process.env.BENCH_SERVICE_ENV ? { 'service env': process.env.BENCH_SERVICE_ENV } : {}),
        ...(cfg.profile ? { note: 'profiled: the last round runs under the CPU profiler' } : {}),
      },
      runs,
      coldStartMs,
      memory: {
        service: memoryOf(targets.service.child.pid!),
        baseline: memoryOf(targets.baseline.child.pid!),
      },
      profiles: profileFiles,
    };
    const markdown = renderMarkdown(report);
    console.log(`\n${markdown}`);
    writeFileSync(join(RESULTS, 'latest.md'), `${markdown}\n`);
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    const stamp = report.settings.date.toString().replace(/[:.]/g, '-');
    writeFileSync(join(RESULTS, `${stamp}.md`), `${markdown}\n`);
    say(`written to bench/results/latest.md`);
    if (process.env.BENCH_STRICT === '1' && verdicts(report).some((v) => !v.pass))
      process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    finished = true;
    await cleanup();
  }
}

/** Both targets must answer /users/me identically and login with the same shape: same work. */
async function checkEquivalence(
  emulatorUrl: string,
  targets: Record<Target, Spawned>,
  token: string,
): Promise<void> {
  const me = await Promise.all(
    (['service', 'baseline'] as const).map(async (t) =>
      (await fetch(`${targets[t].url}/users/me`, { headers: { authorization: token } })).json(),
    ),
  );
  if (!isDeepStrictEqual(me[0], me[1])) throw new Error(`/users/me differs: ${JSON.stringify(me)}`);
  const shapes = await Promise.all(
    (['service', 'baseline'] as const).map(async (t) => {
      const { body } = await postJson<{ codes: Array<{ code: string }> }>(
        `${emulatorUrl}/__emulator/login-codes`,
        { count: 1 },
      );
      const answer = await postJson<Record<string, unknown>>(
        `${targets[t].url}/auth/wechat/login`,
        { code: body.codes[0].code },
      );
      if (answer.status !== 200)
        throw new Error(`${t} login failed: ${JSON.stringify(answer.body)}`);
      return JSON.stringify(shape(answer.body));
    }),
  );
  if (shapes[0] !== shapes[1])
    throw new Error(`login answers differ in shape: ${shapes.join(' vs ')}`);
}

function shape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value === null ? null : typeof value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
}

async function collectProfile(
  directory: string,
  spawned: Spawned,
  target: Target,
  scenario: Scenario,
) {
  spawned.child.kill('SIGWINCH');
  const written = join(directory, `${spawned.child.pid}-`);
  for (let waited = 0; waited < 30000; waited += 100) {
    for (let n = 1; n < 20; n++) {
      const candidate = `${written}${n}.cpuprofile`;
      if (existsSync(candidate)) {
        const file = join(
          directory,
          `${target}-${scenario === 'GET /users/me' ? 'me' : 'login'}.cpuprofile`,
        );
        renameSync(candidate, file);
        return {
          target,
          scenario,
          file: file.replace(`${ROOT}/`, ''),
          summary: summarizeProfile(file),
        };
      }
    }
    await sleep(100);
  }
  throw new Error(`${target} wrote no profile`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
