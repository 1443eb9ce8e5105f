/*
 * npm run test:deploy — the committed Dockerfile and docker-compose.yml really built and run with
 * podman on this machine (docs/deployment.md, "Tested: npm run test:deploy"): base images made
 * locally, MariaDB 10.11 standing in for MySQL 8, the migration job, `npm run demo` through nginx
 * over HTTPS, the checks below, and a teardown that runs whatever happened. Exit code 0 only when
 * every check passed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../processes';
import { ensureBaseImages } from './base-images';
import { Verdict } from './checks';
import { ensureContainersConf, ensurePackages, PodmanService, startPodmanService } from './host';
import { probe, runCapturing } from './shell';
import {
  Compose,
  containerOf,
  makeCertificate,
  makeSettings,
  NGINX_ADDRESS,
  Ports,
  PROJECT,
  startHealthTicker,
  subnetTakenBy,
  writeEnvFile,
} from './stack';
import {
  demoClientIpVerdict,
  migrationRerunVerdict,
  migrationVerdict,
  nonRootVerdict,
  redirectVerdict,
  spoofedClientIpVerdict,
} from './verify';

const ROOT = resolve(__dirname, '../../..');
const APP_IMAGE = 'localhost/wxauth:latest';
const BUILD_IMAGE = 'localhost/wxauth-test/build:latest';
/** Build logs are kept here after the run (overwritten by the next one). */
const LOG_DIR = join(tmpdir(), 'wxauth-deploy-test-logs');

const results: Array<{ name: string } & Verdict> = [];
const timings: string[] = [];
const print = (line: string) => console.log(line);

function check(name: string, verdict: Verdict): void {
  results.push({ name, ...verdict });
  print(`${verdict.ok ? 'PASS' : 'FAIL'}  ${name}: ${verdict.detail}`);
}

async function step<T>(title: string, body: () => Promise<T> | T): Promise<T> {
  print(`\n=== ${title}`);
  const started = Date.now();
  try {
    return await body();
  } finally {
    timings.push(`${title}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** podman build of one target, its output in a log file (shown when the build fails). */
async function buildTarget(target: string, tag: string): Promise<void> {
  const log = join(LOG_DIR, `build-${target}.log`);
  const noCache = process.env.DEPLOY_TEST_NO_CACHE === '1' ? ['--no-cache'] : [];
  try {
    const output = await runCapturingQuiet(
      'podman',
      ['build', '--format', 'docker', ...noCache, '--target', target, '-t', tag, ROOT],
      log,
    );
    print(
      `${tag}: built (${output.split('\n').filter((l) => /^\[\d+\/\d+\] STEP/.test(l)).length} steps; log ${log})`,
    );
  } catch (error) {
    print(probe('tail', ['-n', '40', log]).output);
    throw error;
  }
}

function runCapturingQuiet(command: string, args: string[], log: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('close', (code) => {
      writeFileSync(log, output);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.slice(0, 6).join(' ')} … exited with ${code}`));
    });
  });
}

function imageSummary(image: string): string {
  const size = Number(probe('podman', ['image', 'inspect', image, '--format', '{{.Size}}']).output);
  const user = probe('podman', ['image', 'inspect', image, '--format', '{{.Config.User}}']).output;
  return `${image} ${(size / 1e6).toFixed(0)} MB, User=${user || '(root)'}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(LOG_DIR, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'wxauth-deploy-test-'));
  let service: PodmanService | undefined;
  let compose: Compose | undefined;
  let stopTicker: (() => void) | undefined;
  let interrupted = false;
  let tearingDown: Promise<void> | undefined;
  // One teardown, whether the run ends, fails or is interrupted; a second caller waits for it.
  const teardown = () => (tearingDown ??= tearDown());
  const tearDown = async () => {
    print('\n=== teardown (always runs)');
    stopTicker?.();
    if (compose) {
      if (results.some((r) => !r.ok) || results.length === 0) showState(compose);
      print(compose.down());
    }
    // Whatever compose could not remove (e.g. after a crash of the socket service).
    for (const service of ['nginx', 'app', 'migrate', 'wechat', 'mysql']) {
      probe('podman', ['rm', '--force', '--time', '5', containerOf(service)]);
    }
    probe('podman', ['network', 'rm', '--force', `${PROJECT}_backend`]);
    probe('podman', ['volume', 'rm', '--force', `${PROJECT}_mysql-data`]);
    await service?.stop();
    rmSync(work, { recursive: true, force: true });
    const left = probe('podman', [
      'ps',
      '--all',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--format',
      '{{.Names}}',
    ]).output;
    print(
      left ? `left behind: ${left}` : `containers, network ${PROJECT}_backend and volume removed`,
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      print(`\n${signal}: tearing down`);
      void teardown().finally(() => {
        print(`deploy test: interrupted by ${signal}, stack removed`);
        process.exit(130);
      });
    });
  }

  try {
    await step('host: packages, containers.conf (../shared/CONTAINERS.md)', () => {
      ensurePackages(print);
      ensureContainersConf(print);
      print(
        probe('podman', ['--version']).output +
          '; ' +
          probe('docker-compose', ['version', '--short']).output.split('\n').pop(),
      );
    });
    await step('base images (made locally: no image can be pulled here)', () =>
      ensureBaseImages(ROOT, print),
    );

    service = await startPodmanService(work);
    const certDir = join(work, 'certs');
    mkdirSync(certDir);
    const [https, http, emulator, mysql, app] = await distinctFreePorts(5);
    const ports: Ports = { https, http, emulator, mysql, app };
    const settings = makeSettings(ports);
    compose = new Compose(ROOT, writeEnvFile(work, settings, certDir), service.dockerHost);
    // A stack left by a run that was killed before its teardown.
    compose.down();
    const taken = subnetTakenBy();
    if (taken)
      throw new Error(
        `podman network ${taken} already uses 172.28.0.0/24, docker-compose.yml's subnet`,
      );

    await step('build the Dockerfile (runtime target; build target for the emulator)', async () => {
      await buildTarget('runtime', APP_IMAGE);
      await buildTarget('build', BUILD_IMAGE);
      const user = probe('podman', [
        'image',
        'inspect',
        APP_IMAGE,
        '--format',
        '{{.Config.User}}',
      ]).output;
      check('image built', { ok: user === 'node', detail: imageSummary(APP_IMAGE) });
    });

    const certificate = makeCertificate(certDir);
    await step(
      'compose up (mysql → migrate → app → nginx, by the committed depends_on)',
      async () => {
        stopTicker = startHealthTicker();
        await compose!.stream('up', '--detach', '--no-build');
        print(compose!.run('ps'));
      },
    );

    await step('checks', async () => {
      const migrateLog = probe('podman', ['logs', containerOf('migrate')]).output;
      print(migrateLog);
      check('migration job', migrationVerdict(ROOT, migrateLog));
      check('migration job run again', migrationRerunVerdict());
      check('app runs as non-root', nonRootVerdict());

      const endpoints = {
        https: `https://localhost:${ports.https}`,
        http: `http://127.0.0.1:${ports.http}`,
        emulator: `http://127.0.0.1:${ports.emulator}`,
        certificate,
        appId: settings.appId,
      };
      print(
        `\n$ npm run demo   (DEMO_SERVICE_URL=${endpoints.https}, DEMO_EMULATOR_URL=${endpoints.emulator})`,
      );
      const demo = await runCapturing('npm', ['run', 'demo'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DEMO_SERVICE_URL: endpoints.https,
          DEMO_EMULATOR_URL: endpoints.emulator,
          WECHAT_APP_ID: settings.appId,
          WECHAT_APPS: settings.wechatApps,
          // Trust exactly the run's self-signed certificate; TLS is verified, never disabled.
          NODE_EXTRA_CA_CERTS: certificate,
        },
      });
      const demoOutput = demo.output;
      const demoOk =
        demo.code === 0 &&
        demoOutput.includes('Demo finished: every step answered as the contract says.');
      print('');
      check('npm run demo through nginx over HTTPS', {
        ok: demoOk,
        detail: demoOk ? `every step passed via ${endpoints.https}` : 'see the demo output above',
      });
      const nginxLog = () => probe('podman', ['logs', containerOf('nginx')]).output;
      check('client IP of the demo (TRUST_PROXY)', demoClientIpVerdict(demoOutput, nginxLog()));
      check(
        'client IP with a forged X-Forwarded-For',
        await spoofedClientIpVerdict(endpoints, nginxLog),
      );
      check('HTTP redirects to HTTPS', await redirectVerdict(endpoints));
    });
  } catch (error) {
    // After a signal, what fails is only the teardown pulling the stack away under the run.
    if (!interrupted) check('run', { ok: false, detail: (error as Error).message });
  } finally {
    await teardown();
  }
  if (interrupted) return;

  const failed = results.filter((r) => !r.ok);
  print('\n=== summary');
  for (const timing of timings) print(`  ${timing}`);
  for (const image of [
    'localhost/debian:bookworm-min',
    'localhost/wxauth-test/node:20',
    'localhost/wxauth-test/nginx:debian',
    'localhost/wxauth-test/mariadb-standin:10.11',
    APP_IMAGE,
  ]) {
    if (probe('podman', ['image', 'exists', image]).ok) print(`  ${imageSummary(image)}`);
  }
  print(
    `  MariaDB 10.11 stood in for MySQL 8 (deploy/test/compose.deploy-test.yml); TRUST_PROXY=${NGINX_ADDRESS}`,
  );
  print(`  total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const r of results) print(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name}`);
  print(`deploy test: ${results.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

/** On failure: what an operator looks at first. */
function showState(compose: Compose): void {
  print(probe('docker-compose', compose.args('ps'), compose.env).output);
  for (const service of ['migrate', 'app', 'nginx', 'mysql']) {
    const logs = probe('podman', ['logs', '--tail', '15', containerOf(service)]).output;
    if (logs) print(`--- ${service} (last lines)\n${logs}`);
  }
}

void main();
