/*
 * `npm run soak` (after `npm run build`): the compiled service in production mode, as its own
 * process, under steady mixed mini-program traffic for SOAK_SECONDS (default 600), with the
 * WeChat emulator as a second process and a fresh database. Samples the service's RSS every
 * 10 s and judges its growth after the warm-up against a 20% limit; reports unexpected
 * statuses and p50/p99 per route. Writes bench/results/soak-<date>.md. Not part of `npm test`.
 *
 * Settings: SOAK_SECONDS (600), SOAK_WARMUP_SECONDS (60, at most half the run),
 * SOAK_CONCURRENCY (8), SOAK_RATE (requests per second at most, 200),
 * SOAK_DATABASE_SERVER (mysql://root@127.0.0.1:3306), SOAK_LOG_LEVEL (info).
 */
import { startScriptNodeFlags } from './start-flags';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConnection } from 'mariadb';
import { connectionSettings } from '../src/prisma/database-url';
import { applyMigrations, dropDatabase } from '../src/prisma/migration-runner';
import {
  freePort,
  killAllChildren,
  memoryOf,
  sleep,
  startProcess,
  stopAllChildren,
} from './processes';

const ROOT = resolve(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
// Not the emulator's development pair: production refuses that, as it should.
const APP_ID = 'wx0f1e2d3c4b5a6978';
const APP_SECRET = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const SAMPLE_SECONDS = 10;
const RSS_GROWTH_LIMIT = 0.2;
const REQUEST_TIMEOUT_MS = 10_000;

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

const SOAK_SECONDS = setting('SOAK_SECONDS', 600);
const WARMUP_SECONDS = Math.min(setting('SOAK_WARMUP_SECONDS', 60), SOAK_SECONDS / 2);
const CONCURRENCY = Math.floor(setting('SOAK_CONCURRENCY', 8));
const RATE = setting('SOAK_RATE', 200);
const DATABASE_SERVER = (process.env.SOAK_DATABASE_SERVER || 'mysql://root@127.0.0.1:3306').replace(
  /\/+$/,
  '',
);
const LOG_LEVEL = process.env.SOAK_LOG_LEVEL || 'info';

const say = (message: string) =>
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

// ------------------------------------------------------------------ processes

/** Set by SIGINT/SIGTERM: the workers stop, and the run cleans up and reports what it has. */
let stopRequested = false;
/** The service's shutdown is bounded at 10 s (src/service.ts); past that it is killed. */
const STOP_GRACE_MS = 12_000;

// ------------------------------------------------------------------ traffic

interface User {
  openid: string;
  token?: string;
  refreshToken?: string;
  busy: boolean;
}

interface Answer {
  status: number;
  text: string;
}

class Stats {
  readonly latencies = new Map<string, number[]>();
  readonly statuses = new Map<string, Map<number | string, number>>();
  readonly errors = new Map<string, { count: number; sample: string }>();
  total = 0;

  record(route: string, ms: number, status: number | string, expected: number, text: string): void {
    this.total++;
    (this.latencies.get(route) ?? this.latencies.set(route, []).get(route)!).push(ms);
    const byStatus = this.statuses.get(route) ?? this.statuses.set(route, new Map()).get(route)!;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (status !== expected) {
      const key = `${route} → ${status} (expected ${expected})`;
      const entry = this.errors.get(key) ?? { count: 0, sample: text.slice(0, 200) };
      entry.count++;
      this.errors.set(key, entry);
    }
  }

  get errorCount(): number {
    return [...this.errors.values()].reduce((sum, entry) => sum + entry.count, 0);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

class Traffic {
  readonly stats = new Stats();
  private readonly users: User[] = [];
  private nextSlot = 0;

  constructor(
    private readonly service: string,
    private readonly emulator: string,
  ) {}

  /** Keeps at most RATE requests a second across all workers. */
  private async pace(): Promise<void> {
    const now = Date.now();
    this.nextSlot = Math.max(now, this.nextSlot + 1000 / RATE);
    if (this.nextSlot > now) await sleep(this.nextSlot - now);
  }

  private async send(
    route: string,
    expected: number,
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; token?: string; contentType?: string } = {},
  ): Promise<Answer> {
    await this.pace();
    const started = performance.now();
    let answer: Answer;
    try {
      const response = await fetch(`${this.service}${path}`, {
        method,
        headers: {
          ...((options.body !== undefined || options.raw !== undefined) && {
            'content-type': options.contentType ?? 'application/json',
          }),
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          'user-agent': 'wxauth-soak',
        },
        body:
          options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      answer = { status: response.status, text: await response.text() };
    } catch (error) {
      const name = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network error';
      this.stats.record(
        route,
        performance.now() - started,
        name,
        expected,
        (error as Error).message,
      );
      return { status: 0, text: '' };
    }
    this.stats.record(route, performance.now() - started, answer.status, expected, answer.text);
    return answer;
  }

  private async control(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.emulator}/__emulator/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`emulator ${path}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  /** A user nobody else is using right now (so the emulator's session key stays the one we hold). */
  private take(loggedIn: boolean): User | undefined {
    for (let attempt = 0; attempt < 8 && this.users.length > 0; attempt++) {
      const user = this.users[Math.floor(Math.random() * this.users.length)];
      if (!user.busy && Boolean(user.token) === loggedIn) {
        user.busy = true;
        return user;
      }
    }
    return undefined;
  }

  private adopt(user: User, answer: Answer): void {
    if (answer.status !== 200) return;
    const body = JSON.parse(answer.text) as { accessToken: string; refreshToken: string };
    user.token = body.accessToken;
    user.refreshToken = body.refreshToken;
  }

  private async newUser(): Promise<void> {
    const minted = await this.control('login-code', {});
    const user: User = { openid: minted.openid as string, busy: true };
    const answer = await this.send(
      'POST /auth/wechat/login (new user)',
      200,
      'POST',
      '/auth/wechat/login',
      {
        body: { code: minted.code, userInfo: { nickName: `soak ${this.users.length}`, gender: 1 } },
      },
    );
    this.adopt(user, answer);
    // The pool stays bounded: the oldest users retire.
    if (this.users.length >= 2000) this.users.splice(0, 1);
    this.users.push(user);
    user.busy = false;
  }

  private async returning(user: User): Promise<void> {
    const minted = await this.control('login-code', { openid: user.openid });
    this.adopt(
      user,
      await this.send('POST /auth/wechat/login (returning)', 200, 'POST', '/auth/wechat/login', {
        body: { code: minted.code },
      }),
    );
  }

  private async act(user: User, action: number): Promise<void> {
    const token = user.token!;
    if (action < 0.3) {
      await this.send('GET /users/me', 200, 'GET', '/users/me', { token });
    } else if (action < 0.4) {
      await this.send('PATCH /users/me', 200, 'PATCH', '/users/me', {
        token,
        body: {
          nickname: `小明😀${Math.floor(Math.random() * 1000)}`,
          gender: Math.floor(Math.random() * 3),
        },
      });
    } else if (action < 0.52) {
      await this.send(
        'GET /users/me/logins',
        200,
        'GET',
        `/users/me/logins?limit=${1 + Math.floor(Math.random() * 50)}`,
        { token },
      );
    } else if (action < 0.64) {
      this.adopt(
        user,
        await this.send('POST /auth/refresh', 200, 'POST', '/auth/refresh', {
          body: { refreshToken: user.refreshToken },
        }),
      );
    } else if (action < 0.76) {
      const sealed = await this.control('encrypt', {
        openid: user.openid,
        data: { openGId: 'tGsoak', n: action },
      });
      await this.send('POST /wechat/decrypt', 200, 'POST', '/wechat/decrypt', {
        token,
        body: sealed,
      });
    } else if (action < 0.86) {
      const { code } = await this.control('phone-code', {
        openid: user.openid,
        phoneNumber: '13800138000',
      });
      await this.send('POST /users/me/phone', 200, 'POST', '/users/me/phone', {
        token,
        body: { code },
      });
    } else if (action < 0.9) {
      const answer = await this.send('POST /auth/logout', 204, 'POST', '/auth/logout', { token });
      if (answer.status === 204) user.token = user.refreshToken = undefined;
    } else {
      await this.returning(user);
    }
  }

  /** A trickle of requests a broken client would send; each has its contract answer. */
  private async bad(): Promise<void> {
    const pick = Math.floor(Math.random() * 6);
    if (pick === 0)
      await this.send('bad: malformed JSON', 400, 'POST', '/auth/wechat/login', {
        raw: '{"code":',
      });
    else if (pick === 1)
      await this.send('bad: invalid body', 400, 'POST', '/auth/wechat/login', {
        body: { code: 'a b', admin: true },
      });
    else if (pick === 2)
      await this.send('bad: used or unknown code', 401, 'POST', '/auth/wechat/login', {
        body: { code: `nope${Math.random()}` },
      });
    else if (pick === 3)
      await this.send('bad: garbage token', 401, 'GET', '/users/me', { token: 'not.a.token' });
    else if (pick === 4) await this.send('bad: unknown route', 404, 'GET', '/nope');
    else
      await this.send('bad: unknown refresh token', 401, 'POST', '/auth/refresh', {
        body: { refreshToken: randomBytes(32).toString('base64url') },
      });
  }

  async worker(deadline: number): Promise<void> {
    while (Date.now() < deadline && !stopRequested) {
      try {
        const roll = Math.random();
        if (roll < 0.03) {
          await this.bad();
        } else if (roll < 0.1 || this.users.length < 20) {
          await this.newUser();
        } else {
          const user = this.take(true) ?? this.take(false);
          if (!user) {
            await this.newUser();
            continue;
          }
          try {
            if (user.token) await this.act(user, Math.random());
            else await this.returning(user);
          } finally {
            user.busy = false;
          }
        }
      } catch (error) {
        this.stats.record('driver', 0, 'exception', 0, (error as Error).message);
      }
    }
  }
}

// ------------------------------------------------------------------ report

interface Sample {
  t: number;
  rss: number;
  emulatorRss: number;
  requests: number;
}

interface Verdict {
  /** Highest and lowest RSS in the first and in the last third after the warm-up, MB. */
  early: { peak: number; trough: number };
  late: { peak: number; trough: number };
  peakGrowth: number;
  troughGrowth: number;
  /** Least-squares slope after the warm-up, MB per minute, and what it adds over that time. */
  slope: number;
  trendGrowth: number;
  ok: boolean;
}

/**
 * RSS saws up and down by a hundred MB as V8 grows and shrinks its heap, so two single
 * samples say more about GC timing than about leaks. A leak lifts the whole saw: the peaks
 * (what the memory limit must cover), the troughs, and the trend. Each must stay within
 * the limit, measured against the first third after the warm-up.
 */
function verdict(samples: Sample[]): Verdict {
  const after = samples.filter((s) => s.t >= WARMUP_SECONDS);
  const third = Math.max(1, Math.floor(after.length / 3));
  const window = (part: Sample[]) => ({
    peak: Math.max(...part.map((s) => s.rss)),
    trough: Math.min(...part.map((s) => s.rss)),
  });
  const early = window(after.slice(0, third));
  const late = window(after.slice(-third));
  const n = after.length;
  const meanT = after.reduce((sum, s) => sum + s.t, 0) / n;
  const meanR = after.reduce((sum, s) => sum + s.rss, 0) / n;
  const cov = after.reduce((sum, s) => sum + (s.t - meanT) * (s.rss - meanR), 0);
  const varT = after.reduce((sum, s) => sum + (s.t - meanT) ** 2, 0);
  const slope = varT > 0 ? (cov / varT) * 60 : 0;
  const span = n > 1 ? (after[n - 1].t - after[0].t) / 60 : 0;
  const peakGrowth = (late.peak - early.peak) / early.peak;
  const troughGrowth = (late.trough - early.trough) / early.trough;
  const trendGrowth = (slope * span) / early.peak;
  return {
    early,
    late,
    peakGrowth,
    troughGrowth,
    slope,
    trendGrowth,
    ok:
      n >= 3 &&
      peakGrowth <= RSS_GROWTH_LIMIT &&
      troughGrowth <= RSS_GROWTH_LIMIT &&
      trendGrowth <= RSS_GROWTH_LIMIT,
  };
}

function render(
  stats: Stats,
  samples: Sample[],
  meta: { started: Date; seconds: number; logFile: string; dbRows: Record<string, number> },
): string {
  const v = verdict(samples);
  const fixed = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  const lines: string[] = [];
  lines.push(`# Soak run ${meta.started.toISOString()}`, '');
  lines.push(
    `Compiled service (\`dist/src/main.js\` with the flags of \`npm start\`, NODE_ENV=production, LOG_LEVEL=${LOG_LEVEL}) and the WeChat emulator as ` +
      `separate processes, fresh database, ${meta.seconds.toFixed(0)} s of mixed traffic from ${CONCURRENCY} workers ` +
      `(at most ${RATE} requests/s), Node ${process.version}.`,
    '',
  );
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${fixed(x * 100)}%`;
  lines.push(
    `**Verdict: ${v.ok ? 'PASS' : 'FAIL'}** (limit +${RSS_GROWTH_LIMIT * 100}% after the ${WARMUP_SECONDS} s warm-up). ` +
      `RSS peaks ${fixed(v.early.peak)} → ${fixed(v.late.peak)} MB (${pct(v.peakGrowth)}), ` +
      `troughs ${fixed(v.early.trough)} → ${fixed(v.late.trough)} MB (${pct(v.troughGrowth)}), first third against last third; ` +
      `trend ${v.slope >= 0 ? '+' : ''}${fixed(v.slope, 2)} MB/min (${pct(v.trendGrowth)} over the run). ` +
      `${stats.total} requests, ${stats.errorCount} unexpected answers.`,
    '',
  );
  lines.push(
    '## Latency per route',
    '',
    '| route | requests | p50 ms | p99 ms | max ms | statuses |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  );
  for (const [route, values] of [...stats.latencies].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...values].sort((a, b) => a - b);
    const statuses = [...(stats.statuses.get(route) ?? [])]
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ');
    lines.push(
      `| ${route} | ${values.length} | ${fixed(percentile(sorted, 50))} | ${fixed(percentile(sorted, 99))} | ${fixed(sorted[sorted.length - 1])} | ${statuses} |`,
    );
  }
  lines.push('', '## Unexpected answers', '');
  if (stats.errors.size === 0) lines.push('None.');
  else {
    lines.push('| what | count | first answer |', '| --- | ---: | --- |');
    for (const [what, { count, sample }] of stats.errors)
      lines.push(`| ${what} | ${count} | \`${sample.replace(/[|`\n]/g, ' ')}\` |`);
  }
  lines.push(
    '',
    '## RSS over time',
    '',
    '| t (s) | service RSS (MB) | emulator RSS (MB) | requests/s in the interval |',
    '| ---: | ---: | ---: | ---: |',
  );
  samples.forEach((s, i) => {
    const previous = samples[i - 1];
    const rate = previous
      ? (s.requests - previous.requests) / (s.t - previous.t)
      : s.requests / Math.max(1, s.t);
    lines.push(
      `| ${s.t.toFixed(0)}${s.t < WARMUP_SECONDS ? ' (warm-up)' : ''} | ${fixed(s.rss)} | ${fixed(s.emulatorRss)} | ${fixed(rate, 0)} |`,
    );
  });
  lines.push(
    '',
    '## Database at the end',
    '',
    Object.entries(meta.dbRows)
      .map(([table, n]) => `${table}: ${n}`)
      .join(', '),
    '',
  );
  lines.push(
    `Service log: \`${meta.logFile}\` (${fixed(statSync(meta.logFile).size / 1024 / 1024)} MB).`,
    '',
  );
  return lines.join('\n');
}

// ------------------------------------------------------------------ main

async function countRows(databaseUrl: string): Promise<Record<string, number>> {
  const connection = await createConnection({
    ...connectionSettings(databaseUrl),
    bigIntAsNumber: true,
  });
  try {
    const rows: Record<string, number> = {};
    for (const table of ['wx_user', 'auth_session', 'refresh_token', 'login_log']) {
      const [row] = await connection.query<Array<{ n: number }>>(
        `SELECT COUNT(*) AS n FROM ${table}`,
      );
      rows[table] = row.n;
    }
    return rows;
  } finally {
    await connection.end();
  }
}

async function main(): Promise<number> {
  const entry = join(ROOT, 'dist', 'src', 'main.js');
  try {
    statSync(entry);
  } catch {
    throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  mkdirSync(RESULTS, { recursive: true });
  const logFile = join(RESULTS, `soak-${stamp}.log`);
  const cwd = mkdtempSync(join(tmpdir(), 'wxauth-soak-'));
  const databaseUrl = `${DATABASE_SERVER}/wxauth_soak_${randomBytes(4).toString('hex')}`;

  await applyMigrations(databaseUrl);
  try {
    const [emulatorPort, servicePort] = [await freePort(), await freePort()];
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    const emulator = await startProcess({
      name: 'the emulator',
      entry: join(ROOT, 'dist/emulator/main.js'),
      port: emulatorPort,
      env: {
        EMULATOR_PORT: String(emulatorPort),
        WECHAT_APP_ID: APP_ID,
        WECHAT_APP_SECRET: APP_SECRET,
      },
      healthPath: '/__emulator/health',
      logFile,
      cwd,
    });
    const service = await startProcess({
      name: 'the service',
      entry: join(ROOT, 'dist/src/main.js'),
      port: servicePort,
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(servicePort),
        DATABASE_URL: databaseUrl,
        WECHAT_API_BASE_URL: emulatorUrl,
        WECHAT_APP_ID: APP_ID,
        WECHAT_APP_SECRET: APP_SECRET,
        JWT_SECRET: randomBytes(36).toString('base64'),
        SESSION_KEY_SECRET: randomBytes(32).toString('hex'),
        LOGIN_RATE_LIMIT: '1000000000',
        LOG_LEVEL,
      },
      healthPath: '/health/ready',
      logFile,
      cwd,
      nodeArgs: startScriptNodeFlags(ROOT),
    });
    say(
      `service pid ${service.child.pid} at ${service.url}, emulator at ${emulator.url}; ${SOAK_SECONDS} s of traffic, warm-up ${WARMUP_SECONDS} s`,
    );

    const traffic = new Traffic(service.url, emulator.url);
    const t0 = Date.now();
    const deadline = t0 + SOAK_SECONDS * 1000;
    const samples: Sample[] = [];
    const sample = () => {
      const s = {
        t: (Date.now() - t0) / 1000,
        rss: memoryOf(service.child.pid!).rssMb,
        emulatorRss: memoryOf(emulator.child.pid!).rssMb,
        requests: traffic.stats.total,
      };
      samples.push(s);
      say(
        `t=${s.t.toFixed(0)} s  RSS ${s.rss.toFixed(1)} MB  ${s.requests} requests  ${traffic.stats.errorCount} unexpected`,
      );
    };
    sample();
    const sampler = setInterval(sample, SAMPLE_SECONDS * 1000);
    await Promise.all(Array.from({ length: CONCURRENCY }, () => traffic.worker(deadline)));
    clearInterval(sampler);
    if (Date.now() - t0 - samples[samples.length - 1].t * 1000 > 1000) sample();
    if (service.child.exitCode !== null)
      throw new Error(`the service exited with ${service.child.exitCode} during the run`);

    const report = render(traffic.stats, samples, {
      started,
      seconds: (Date.now() - t0) / 1000,
      logFile,
      dbRows: await countRows(databaseUrl),
    });
    const reportFile = join(RESULTS, `soak-${stamp}.md`);
    writeFileSync(reportFile, report);
    console.log(`\n${report}`);
    say(`report written to ${reportFile}`);
    return verdict(samples).ok && traffic.stats.errorCount === 0 ? 0 : 1;
  } finally {
    await stopAllChildren(STOP_GRACE_MS);
    await dropDatabase(databaseUrl);
    rmSync(cwd, { recursive: true, force: true });
  }
}

// Bounded whatever happens: the run stops itself two minutes after it should have ended.
const watchdog = setTimeout(
  () => {
    console.error('[soak] did not finish in time; stopping');
    killAllChildren();
    process.exit(2);
  },
  (SOAK_SECONDS + 120) * 1000,
);
watchdog.unref();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: ending the traffic, then cleaning up`);
    stopRequested = true;
  });
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`[soak] failed: ${(error as Error).message}`);
    await stopAllChildren(STOP_GRACE_MS);
    process.exit(1);
  },
);
