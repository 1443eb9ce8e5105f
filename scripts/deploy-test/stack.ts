/*
 * The compose stack of one test run: the committed docker-compose.yml plus
 * deploy/test/compose.deploy-test.yml, under a project name of its own (never a real `wxauth`
 * stack on the same host), with its settings in an env file written for the run (fresh secrets,
 * free ports on 127.0.0.1 only: never 3306, 3000 or 4010, which the machine and tests use).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probe, run, runAsync } from './shell';

export const PROJECT = 'wxauth-deploytest';
/** docker-compose.yml gives nginx this fixed address; TRUST_PROXY names it. */
export const NGINX_ADDRESS = '172.28.0.10';
export const SUBNET = '172.28.0.0/24';

export interface Ports {
  https: number;
  http: number;
  emulator: number;
  mysql: number;
  app: number;
}

export interface StackSettings {
  appId: string;
  webAppId: string;
  wechatApps: string;
  ports: Ports;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** WeChat credentials made up for the run: production refuses the development ones. */
export function makeSettings(ports: Ports): StackSettings {
  const webAppId = `wx${hex(8)}`;
  return {
    appId: `wx${hex(8)}`,
    webAppId,
    wechatApps: JSON.stringify([
      { appId: webAppId, secret: hex(16), type: 'official_account', name: 'deploy test' },
    ]),
    ports,
  };
}

/** The env file docker-compose reads for the run (instead of a .env of the checkout). */
export function writeEnvFile(dir: string, settings: StackSettings, certDir: string): string {
  const { ports } = settings;
  const lines = {
    MYSQL_DATABASE: 'wxauth',
    MYSQL_USER: 'wxauth',
    MYSQL_PASSWORD: hex(24),
    MYSQL_ROOT_PASSWORD: hex(24),
    MYSQL_PUBLISH_PORT: ports.mysql,
    APP_PUBLISH_PORT: ports.app,
    HTTP_PUBLISH: `127.0.0.1:${ports.http}`,
    HTTPS_PUBLISH: `127.0.0.1:${ports.https}`,
    EMULATOR_PUBLISH_PORT: ports.emulator,
    TLS_CERT_DIR: certDir,
    WECHAT_APP_ID: settings.appId,
    WECHAT_APP_SECRET: hex(16),
    WECHAT_APPS: settings.wechatApps,
    WECHAT_API_BASE_URL: 'http://wechat:4010',
    JWT_SECRET: randomBytes(48).toString('base64'),
    SESSION_KEY_SECRET: hex(32),
    // nginx's fixed address in docker-compose.yml: the case the docs' TRUST_PROXY table lists.
    TRUST_PROXY: NGINX_ADDRESS,
  };
  const file = join(dir, 'stack.env');
  writeFileSync(
    file,
    Object.entries(lines)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  return file;
}

/** A self-signed certificate for localhost, made for this run; the demo trusts exactly it. */
export function makeCertificate(certDir: string): string {
  const certificate = join(certDir, 'fullchain.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-keyout',
    join(certDir, 'privkey.pem'),
    '-out',
    certificate,
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return certificate;
}

export class Compose {
  constructor(
    private readonly root: string,
    private readonly envFile: string,
    private readonly dockerHost: string,
  ) {}

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: this.dockerHost };
  }

  args(...rest: string[]): string[] {
    return [
      '--project-name',
      PROJECT,
      '--project-directory',
      this.root,
      '--file',
      join(this.root, 'docker-compose.yml'),
      '--file',
      join(this.root, 'deploy/test/compose.deploy-test.yml'),
      '--env-file',
      this.envFile,
      '--profile',
      'proxy',
      ...rest,
    ];
  }

  run(...rest: string[]): string {
    return run('docker-compose', this.args(...rest), { env: this.env, cwd: this.root });
  }

  /** Asynchronous, so that the health ticker keeps running while compose waits on it. */
  stream(...rest: string[]): Promise<void> {
    return runAsync('docker-compose', this.args(...rest), { env: this.env, cwd: this.root });
  }

  /** Removes containers, network and volume; tolerant, because it also runs after failures. */
  down(): string {
    return probe(
      'docker-compose',
      this.args('down', '--volumes', '--remove-orphans', '--timeout', '10'),
      this.env,
    ).output;
  }
}

/** Names of the run's containers, by compose service. */
export function containerOf(service: string): string {
  return `${PROJECT}_${service}_1`;
}

/**
 * Without systemd (as here), podman never runs health checks by itself: they stay `starting`
 * and `depends_on: condition: service_healthy` would wait forever. This ticker does what
 * systemd's timer would: run each container's own configured check every two seconds.
 */
export function startHealthTicker(): () => void {
  const tick = () => {
    const names = probe('podman', [
      'ps',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--format',
      '{{.Names}}',
    ]).output;
    for (const name of names.split('\n').filter(Boolean))
      probe('podman', ['healthcheck', 'run', name]);
  };
  const timer = setInterval(tick, 2000);
  return () => clearInterval(timer);
}

/** A podman network of someone else already on docker-compose.yml's subnet makes `up` fail. */
export function subnetTakenBy(): string | undefined {
  const names = probe('podman', ['network', 'ls', '--format', '{{.Name}}']).output.split('\n');
  return names.find((name) => {
    if (!name || name === `${PROJECT}_backend`) return false;
    return probe('podman', ['network', 'inspect', name]).output.includes(`"${SUBNET}"`);
  });
}
