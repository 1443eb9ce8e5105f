/*
 * The checks `npm run test:deploy` makes against the running stack. Each returns a verdict
 * (ok + what was seen), so the run reports every check instead of stopping at the first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { clientIpVerdict, demoStepBody, parseAccessLog, uidsOfStatus, Verdict } from './checks';
import { containerOf } from './stack';
import { probe } from './shell';

const inspect = (container: string, format: string) =>
  probe('podman', ['inspect', container, '--format', format]).output;

/** The migration job exited 0 and applied every migration in prisma/migrations. */
export function migrationVerdict(root: string, log: string): Verdict {
  const container = containerOf('migrate');
  const exitCode = inspect(container, '{{.State.ExitCode}}');
  const status = inspect(container, '{{.State.Status}}');
  const expected = readdirSync(join(root, 'prisma/migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const applied = [...log.matchAll(/^Applied migration (\S+)$/gm)].map((m) => m[1]).sort();
  const ok =
    status === 'exited' && exitCode === '0' && JSON.stringify(applied) === JSON.stringify(expected);
  return {
    ok,
    detail: `${status}, exit code ${exitCode}; applied ${applied.length} of ${expected.length} (${applied.join(', ')})`,
  };
}

/** Run again on the migrated database, the job changes nothing and says so (upgrades rely on it). */
export function migrationRerunVerdict(): Verdict {
  const rerun = probe('podman', ['start', '--attach', containerOf('migrate')]);
  // podman also prints that it cannot reach systemd for health-check timers: not the job's words.
  const said = rerun.output
    .split('\n')
    .filter((line) => /^(Database|Applied|Migration)/.test(line));
  const ok = rerun.ok && said.length === 1 && /is up to date/.test(said[0]);
  return { ok, detail: said.join('; ') || rerun.output };
}

/** The service's process runs as an unprivileged user and cannot rewrite its own code. */
export function nonRootVerdict(): Verdict {
  const app = containerOf('app');
  const user = inspect(app, '{{.Config.User}}');
  const uids = uidsOfStatus(probe('podman', ['exec', app, 'cat', '/proc/1/status']).output);
  const command = probe('podman', ['exec', app, 'cat', '/proc/1/cmdline']).output.split('\0')[0];
  const execUid = probe('podman', ['exec', app, 'id', '-u']).output;
  const codeWritable = probe('podman', ['exec', app, 'test', '-w', '/app/dist/src/main.js']).ok;
  const ok = uids.length > 0 && uids.every((uid) => uid !== 0) && execUid !== '0' && !codeWritable;
  return {
    ok,
    detail: `image User=${user || '(none)'}; PID 1 (${command}) uids ${uids.join('/')}; \`id -u\` ${execUid}; /app/dist writable: ${codeWritable ? 'yes' : 'no'}`,
  };
}

/** The demo's login: the address the service recorded = the one nginx saw the demo come from. */
export function demoClientIpVerdict(demoOutput: string, nginxLog: string): Verdict {
  const login = parseAccessLog(nginxLog).find(
    (entry) =>
      entry.method === 'POST' &&
      entry.path === '/auth/wechat/login' &&
      entry.userAgent.startsWith('wxauth-demo'),
  );
  const me = demoStepBody(demoOutput, 'GET /users/me');
  return clientIpVerdict({
    recorded: me?.lastLoginIp,
    seenByNginx: login?.remoteAddr,
    nginxAddress: nginxAddress(),
  });
}

export function nginxAddress(): string {
  return inspect(containerOf('nginx'), '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');
}

export interface Endpoints {
  https: string;
  http: string;
  emulator: string;
  certificate: string;
  appId: string;
}

/**
 * A client that claims another address in X-Forwarded-For is still recorded at the address
 * nginx saw: TRUST_PROXY believes only what nginx appended.
 */
export async function spoofedClientIpVerdict(
  endpoints: Endpoints,
  nginxLog: () => string,
): Promise<Verdict> {
  const claimed = '203.0.113.66';
  const minted = await fetch(`${endpoints.emulator}/__emulator/login-code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId: endpoints.appId }),
  });
  const { code } = (await minted.json()) as { code: string };
  const login = await httpsJson(endpoints, '/auth/wechat/login', {
    method: 'POST',
    body: { code },
    headers: { 'x-forwarded-for': claimed, 'user-agent': 'wxauth-deploy-test (spoofed XFF)' },
  });
  const seen = parseAccessLog(nginxLog()).find((entry) =>
    entry.userAgent.startsWith('wxauth-deploy-test'),
  );
  const user = (login.body.user ?? {}) as Record<string, unknown>;
  const verdict = clientIpVerdict({
    recorded: user.lastLoginIp,
    seenByNginx: seen?.remoteAddr,
    nginxAddress: nginxAddress(),
    claimedByClient: claimed,
  });
  return login.status === 200
    ? { ok: verdict.ok, detail: `claimed ${claimed}; ${verdict.detail}` }
    : { ok: false, detail: `login answered ${login.status} ${JSON.stringify(login.body)}` };
}

/** Plain HTTP is answered with a redirect to HTTPS (deploy/nginx/wxauth.conf). */
export async function redirectVerdict(endpoints: Endpoints): Promise<Verdict> {
  const response = await fetch(`${endpoints.http}/health`, { redirect: 'manual' });
  const location = response.headers.get('location') ?? '';
  return {
    ok: response.status === 301 && location.startsWith('https://'),
    detail: `${response.status} → ${location}`,
  };
}

/** A request to nginx over HTTPS that trusts exactly the run's self-signed certificate. */
function httpsJson(
  endpoints: Endpoints,
  path: string,
  options: { method: string; body?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${endpoints.https}${path}`,
      {
        method: options.method,
        ca: readFileSync(endpoints.certificate),
        headers: { ...(payload && { 'content-type': 'application/json' }), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
