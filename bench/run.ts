/**
 * `npm run bench`: the compiled service (production mode, own process) against the bare
 * baseline (bench/baseline.mjs, a verbatim copy of ../shared/bench/baseline.mjs, in its own
 * database), with the WeChat emulator in a third process; then GET /users/me with the service
 * under each other JWT algorithm. Prints a markdown table and writes it to
 * bench/results/latest.md. Settings: see bench/README.md.
 */
import { createConnection, Connection } from 'mariadb';
import { startScriptNodeFlags } from '../scripts/start-flags';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { connectionSettings } from '../src/prisma/database-url';
import { applyMigrations, dropDatabase } from '../src/prisma/migration-runner';
import type { JwtAlgorithm } from '../src/config/jwt-keys';
import type { AlgorithmCost } from './lib/algorithm-report';
import { CpuMeter, pidOf } from './lib/cpu';
import { parseAlgorithms, signingSettings, tokenAlgorithm } from './lib/jwt-algorithms';
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
import { tokenCost } from './lib/token-cost';
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
const BASELINE = join(ROOT, 'bench', 'baseline.mjs');
const SHARED_BASELINE = join(ROOT, '..', 'shared', 'bench', 'baseline.mjs');
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

const ME: Scenario = 'GET /users/me';

const USAGE = `Usage: npm run bench            (settings are environment variables)

Measures the built service (production mode, its own process) against the bare baseline
(bench/baseline.mjs: node:http, the mariadb driver, node:crypto), each on a fresh database,
with the WeChat emulator playing WeChat; every ratio is service ÷ bare. Writes
bench/results/latest.md and latest.json. Needs MariaDB/MySQL; builds first.

  BENCH_CONNECTIONS=50         concurrent keep-alive connections
  BENCH_DURATION=10            seconds per measured run
  BENCH_ROUNDS=3               rounds (each runs every scenario on both targets)
  BENCH_WARMUP=3               seconds of warm-up per scenario and target
  BENCH_COLD_STARTS=5          cold starts timed per target
  BENCH_SCENARIOS=me,login     which scenarios to run
  BENCH_ALGORITHMS=HS256,ES256,EdDSA   JWT_ALGORITHMs to compare on GET /users/me after
                               the main rounds (which are HS256), each in a service of its
                               own with a key made for the run; HS256 alone: no comparison
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
  BENCH_STRICT=1               exit 1 when a target is missed (default: report only)

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
/** A bad setting ends the run with one line naming it, like an unknown argument (exit 2). */
function readSettings() {
  try {
    return settingsFromEnvironment();
  } catch (error) {
    console.error(
      `bench: ${(error as Error).message} (npm run bench -- --help lists the settings)`,
    );
    process.exit(2);
  }
}

const settingsFromEnvironment = () => ({
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
  algorithms: parseAlgorithms(setting('BENCH_ALGORITHMS', 'HS256,ES256,EdDSA')),
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
});
const cfg = readSettings();

function say(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Which code was measured: the commit, and whether src/ had uncommitted changes when built. */
function sourceVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('--no-optional-locks', 'status', '--porcelain', '--', 'src').length > 0;
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

/** Whether the repo's copy of the bare baseline is still the shared one, for the report. */
function baselineProvenance(): string {
  if (!existsSync(SHARED_BASELINE))
    return 'bench/baseline.mjs (../shared/bench/baseline.mjs absent)';
  return readFileSync(BASELINE).equals(readFileSync(SHARED_BASELINE))
    ? 'bench/baseline.mjs (= ../shared/bench/baseline.mjs)'
    : 'bench/baseline.mjs (DIFFERS from ../shared/bench/baseline.mjs)';
}

async function main(): Promise<void> {
  for (const entry of [cfg.serviceEntry, join(ROOT, 'dist/emulator/main.js')]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
  const provenance = baselineProvenance();
  if (provenance.includes('DIFFERS')) say(`WARNING: ${provenance}`);
  const logs = join(RESULTS, 'logs');
  const profiles = join(RESULTS, 'profiles');
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  if (cfg.profile) mkdirSync(profiles, { recursive: true });
  // Compared on GET /users/me; HS256 alone is what the main rounds measure already.
  const compared =
    cfg.scenarios.includes('me') && cfg.algorithms.some((a) => a !== 'HS256') ? cfg.algorithms : [];
  // First, while no child of ours runs yet.
  const tokenCosts = new Map(compared.map((a) => [a, tokenCost(signingSettings(a))]));
  if (compared.length) {
    say(
      `CPU µs per verify / sign: ${[...tokenCosts].map(([a, c]) => `${a} ${c.verifyUs.toFixed(1)} / ${c.signUs.toFixed(1)}`).join(', ')}`,
    );
  }

  const databaseUrl = `${cfg.server}/wxauth_bench_${randomBytes(4).toString('hex')}`;
  // The baseline creates and drops its own database; named here so that a run killed midway
  // can still drop those of the baselines it started.
  const baselineDatabases: string[] = [];
  const dropAll = () =>
    Promise.all(
      [databaseUrl, ...baselineDatabases.map((name) => `${cfg.server}/${name}`)].map((url) =>
        dropDatabase(url).catch((error: unknown) => console.error('cleanup:', error)),
      ),
    );
  const cleanups: Array<() => Promise<unknown>> = [];
  let finished = false;
  const cleanup = async () => {
    for (const step of cleanups.reverse())
      await step().catch((error: unknown) => console.error('cleanup:', error));
  };
  const timer = setTimeout(() => {
    console.error(`bench: gave up after ${cfg.timeoutS} s`);
    killAllChildren();
    void dropAll().finally(() => process.exit(2));
  }, cfg.timeoutS * 1000);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllChildren();
      void dropAll().finally(() => process.exit(130));
    });
  }

  try {
    say(`database ${new URL(databaseUrl).pathname.slice(1)}`);
    cleanups.push(dropAll);
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
    // Services replaced on purpose (one per algorithm) are not reported when they exit.
    const retired = new Set<Spawned>();
    const watch = (spawned: Spawned) =>
      void spawned.exited.then((code) => {
        if (!finished && !retired.has(spawned))
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
    const database = connectionSettings(databaseUrl);
    const profileHook = ['--require', join(ROOT, 'dist/bench/profile-hook.js')];
    /** `signing`: JWT_ALGORITHM and its key for the service, over the HS256 of `secrets`. */
    const start = async (
      target: Target,
      profiled: boolean,
      signing: Record<string, string> = {},
    ): Promise<Spawned> => {
      // The services of the algorithms run side by side: a name and a log each.
      const processName = signing.JWT_ALGORITHM ? `service-${signing.JWT_ALGORITHM}` : target;
      const common = {
        name: processName,
        healthPath: '/health',
        logFile: join(logs, `${processName}.log`),
      };
      const profiling: Record<string, string> = profiled ? { BENCH_PROFILE_DIR: profiles } : {};
      if (target === 'baseline') {
        const name = `${new URL(databaseUrl).pathname.slice(1)}_bare_${baselineDatabases.length}`;
        baselineDatabases.push(name);
        return startProcess({
          ...common,
          entry: BASELINE,
          urlFile: join(logs, 'baseline-url.json'),
          env: {
            ...profiling,
            WECHAT_API_BASE_URL: secrets.WECHAT_API_BASE_URL,
            WECHAT_APP_ID: APP_ID,
            WECHAT_APP_SECRET: APP_SECRET,
            JWT_SECRET: secrets.JWT_SECRET,
            SESSION_KEY_SECRET: secrets.SESSION_KEY_SECRET,
            PORT: '0',
            HOST: '127.0.0.1',
            BASELINE_URL_FILE: join(logs, 'baseline-url.json'),
            BASELINE_DB: name,
            DB_HOST: String(database.host),
            DB_PORT: String(database.port),
            DB_USER: String(database.user),
            DB_PASSWORD: String(database.password ?? ''),
          },
          nodeArgs: profiled ? profileHook : [],
        });
      }
      const port = await freePort();
      return startProcess({
        ...common,
        entry: cfg.serviceEntry,
        port,
        env: {
          ...secrets,
          ...profiling,
          PORT: String(port),
          HOST: '127.0.0.1',
          NODE_ENV: 'production',
          LOG_LEVEL: cfg.logLevel,
          LOGIN_RATE_LIMIT: '1000000000',
          LOGIN_RATE_WINDOW: '1s',
          ...cfg.serviceEnv,
          ...signing,
        },
        nodeArgs: [...cfg.serviceNodeArgs, ...(profiled ? profileHook : [])],
      });
    };

    const coldStartMs: BenchReport['coldStartMs'] = { service: [], baseline: [] };
    for (let i = 0; i < cfg.coldStarts; i++) {
      for (const target of alternating(i)) {
        const spawned = await start(target, false);
        coldStartMs[target].push(spawned.readyMs);
        await stopProcess(spawned.child);
      }
    }
    for (const target of ['service', 'baseline'] as const)
      say(`cold start ${target} ${coldStartMs[target].map((ms) => ms.toFixed(0)).join(', ')} ms`);

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

    // Every user of the pool logs in once through each target (each has its own database), so
    // later logins are returning users and /users/me has tokens of that target's sessions.
    const minter = new CodeMinter(
      emulator.url,
      Array.from({ length: cfg.users }, (_, i) => `oBench${String(i).padStart(8, '0')}`),
    );
    // Setup is not measured, so a login refused under the machine's load is retried (and counted).
    let setupRetries = 0;
    const setupLogin = async (target: Target, openid: string): Promise<LoginAnswer> => {
      for (let attempt = 1; ; attempt++) {
        const [code] = await minter.batch(1, openid);
        const answer = await postJson<LoginAnswer>(`${targets[target].url}/auth/wechat/login`, {
          code,
        });
        if (answer.status === 200) return answer.body;
        if (attempt === 3) {
          throw new Error(
            `${target} setup login failed: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        }
        setupRetries++;
      }
    };
    /** Logs the openids in, checks the answers; the access tokens of the first BENCH_TOKENS. */
    const signIn = async (target: Target, openids: string[]): Promise<string[]> => {
      const logins = await inParallel(openids, 16, (openid) => setupLogin(target, openid));
      await checkAnswers(target, targets[target].url, logins[0], minter);
      return logins.slice(0, cfg.tokens).map((l) => l.accessToken);
    };
    const bearer = (accessTokens: string[]) => accessTokens.map((t) => `Bearer ${t}`);
    const tokens = {} as Record<Target, string[]>;
    for (const target of ['service', 'baseline'] as const)
      tokens[target] = bearer(await signIn(target, minter.openids));
    if (setupRetries) say(`WARNING: ${setupRetries} setup logins failed once and were retried`);
    say(`${cfg.users} users logged in to each target; both answer 200 with sane bodies`);

    const nextToken: Record<Target, number> = { service: 0, baseline: 0 };
    const meRequest = (target: Target) => (): LoadRequest => ({
      method: 'GET',
      path: '/users/me',
      headers: { authorization: tokens[target][nextToken[target]++ % tokens[target].length] },
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
      scenario === ME
        ? drive(targets[target].url, cfg.connections, durationS, meRequest(target))
        : loginRound(target, durationS);
    const scenarios = SCENARIOS.filter((s) => cfg.scenarios.includes(s === ME ? 'me' : 'login'));

    for (const scenario of scenarios) {
      for (const target of ['service', 'baseline'] as const)
        await runOnce(scenario, target, cfg.warmupS);
    }
    say('warmed up');

    const profileFiles: BenchReport['profiles'] = [];
    /**
     * One round of the scenarios on the targets running now, who goes first alternating by
     * round; `profiled`: under the CPU profiler. `serviceName` names the service in the
     * progress lines.
     */
    const measureRound = async (
      round: number,
      list: readonly Scenario[],
      profiled: boolean,
      serviceName: string,
    ): Promise<Run[]> => {
      const meter = new CpuMeter({
        service: targets.service.child.pid,
        baseline: targets.baseline.child.pid,
        emulator: emulator.child.pid,
        bench: process.pid,
        mariadbd: pidOf('mariadbd'),
      });
      const measured: Run[] = [];
      for (const scenario of list) {
        for (const target of alternating(round - 1)) {
          const before = await statusCounters(db);
          const cpuBefore = meter.snapshot();
          if (profiled) targets[target].child.kill('SIGWINCH');
          const result = await runOnce(scenario, target, cfg.durationS);
          if (profiled)
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
          measured.push({ scenario, target, round, result, statements, cpu });
          say(
            `round ${round} ${scenario} ${target === 'service' ? serviceName : target}: ${result.reqPerSec.toFixed(0)} req/s, p99 ${result.p99} ms, errors ${result.errors}`,
          );
        }
      }
      return measured;
    };
    const runs: Run[] = [];
    for (let round = 1; round <= cfg.rounds; round++) {
      const profiled = cfg.profile && round === cfg.rounds;
      runs.push(...(await measureRound(round, scenarios, profiled, 'service')));
    }
    // Taken now: the services started below for each algorithm never run the full load.
    const memory = {
      service: memoryOf(targets.service.child.pid!),
      baseline: memoryOf(targets.baseline.child.pid!),
    };

    /*
     * GET /users/me under each BENCH_ALGORITHMS value, HS256 included, so that every row's
     * service ran this load alone (the main rounds' one also ran the logins). Each algorithm
     * gets a service of its own, which logs in BENCH_TOKENS users and warms up; then every round
     * runs each of them (in turn, the order rotating) beside the same bare baseline, so that
     * the machine's other work weighs on all algorithms alike. Only the one under load is busy.
     */
    const services = new Map<JwtAlgorithm, { spawned: Spawned; tokens: string[] }>();
    if (tokenCosts.size) {
      retired.add(targets.service);
      await stopProcess(targets.service.child);
    }
    for (const algorithm of tokenCosts.keys()) {
      targets.service = await start('service', false, signingSettings(algorithm));
      const spawned = targets.service;
      watch(spawned);
      cleanups.push(() => stopProcess(spawned.child));
      const accessTokens = await signIn('service', minter.openids.slice(0, cfg.tokens));
      assertSignedWith(algorithm, accessTokens[0]);
      tokens.service = bearer(accessTokens);
      await runOnce(ME, 'service', cfg.warmupS);
      services.set(algorithm, { spawned, tokens: tokens.service });
      say(`service started under ${algorithm}, ${cfg.tokens} users logged in, warmed up`);
    }
    const algorithms: AlgorithmCost[] = [...tokenCosts].map(([algorithm, token]) => ({
      algorithm,
      token,
      runs: [],
    }));
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const cost of rotated(algorithms, round - 1)) {
        const service = services.get(cost.algorithm)!;
        targets.service = service.spawned;
        tokens.service = service.tokens;
        cost.runs.push(...(await measureRound(round, [ME], false, cost.algorithm)));
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
        baseline: provenance,
        'service LOG_LEVEL': cfg.logLevel,
        ...(algorithms.length ? { 'JWT algorithms': cfg.algorithms.join(', ') } : {}),
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
      memory,
      profiles: profileFiles,
      algorithms,
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

/** Service first in even rounds (and cold starts), the bare baseline first in odd ones. */
const alternating = (i: number): Target[] =>
  i % 2 ? ['baseline', 'service'] : ['service', 'baseline'];

/** The list shifted left by `by`, so that each item goes first in turn. */
const rotated = <T>(list: T[], by: number): T[] => [
  ...list.slice(by % list.length),
  ...list.slice(0, by % list.length),
];

/** A service that silently fell back to another algorithm would be measured under a wrong name. */
function assertSignedWith(algorithm: JwtAlgorithm, accessToken: string): void {
  const alg = tokenAlgorithm(accessToken);
  if (alg !== algorithm) throw new Error(`service told ${algorithm} signs ${String(alg)}`);
}

interface LoginAnswer {
  accessToken: string;
  refreshToken: string;
  user: { id: unknown };
}

/**
 * The two targets keep different data, so their answers cannot be compared; each must answer
 * the two paths 200 with a sane body: a login with two tokens and a user, /users/me with the
 * user that logged in.
 */
async function checkAnswers(
  target: Target,
  url: string,
  earlier: LoginAnswer,
  minter: CodeMinter,
): Promise<void> {
  const fail = (what: string, body: unknown) => {
    throw new Error(`${target} ${what}: ${JSON.stringify(body)}`);
  };
  const [code] = await minter.batch(1);
  const login = await postJson<Partial<LoginAnswer>>(`${url}/auth/wechat/login`, { code });
  const jwt = /^[\w-]+\.[\w-]+\.[\w-]+$/;
  if (
    login.status !== 200 ||
    !jwt.test(String(login.body.accessToken)) ||
    typeof login.body.refreshToken !== 'string' ||
    login.body.user?.id === undefined
  )
    fail(`login answered ${login.status}`, login.body);
  const answer = await fetch(`${url}/users/me`, {
    headers: { authorization: `Bearer ${earlier.accessToken}` },
  });
  const me = (await answer.json()) as { id?: unknown };
  if (answer.status !== 200 || String(me.id) !== String(earlier.user.id))
    fail(`/users/me answered ${answer.status} for user ${String(earlier.user.id)}`, me);
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
        const file = join(directory, `${target}-${scenario === ME ? 'me' : 'login'}.cpuprofile`);
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
