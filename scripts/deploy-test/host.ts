/*
 * What the machine needs before a container can run (../shared/CONTAINERS.md): Debian's podman
 * and friends, installed only when missing (nothing installed by hand survives to the next
 * session), the containers.conf settings without which runc cannot start a container here, and
 * podman's Docker-API socket for docker-compose.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { probe, run } from './shell';

/**
 * docker-compose 1.29 (through podman's socket) rather than podman-compose 1.0.3: the latter
 * ignores `ipv4_address`, `profiles` and depends_on conditions, all of which the committed
 * docker-compose.yml relies on.
 */
export const PACKAGES = [
  'podman',
  'runc',
  'crun',
  'containernetworking-plugins',
  // Without it, compose services cannot find each other by name (nginx → app, app → mysql).
  'golang-github-containernetworking-plugin-dnsname',
  'dnsmasq-base',
  'fuse-overlayfs',
  'slirp4netns',
  'uidmap',
  'iptables',
  'docker-compose',
  'mmdebstrap',
  'openssl',
];

export function ensurePackages(print: (line: string) => void): void {
  if (process.getuid?.() !== 0) {
    throw new Error('test:deploy needs root: rootful podman, apt-get and /etc/containers');
  }
  const missing = PACKAGES.filter(
    (name) =>
      !probe('dpkg-query', ['-W', '-f=${Status}', name]).output.includes('install ok installed'),
  );
  if (missing.length === 0) {
    print(`packages: all ${PACKAGES.length} present`);
    return;
  }
  print(`packages: installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A failing third-party list must not stop the install from Debian's own mirror.
  probe('apt-get', ['update', '-qq'], env);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

const CONTAINERS_CONF = '/etc/containers/containers.conf';

/**
 * Without these, runc fails here with `setrlimit RLIMIT_NOFILE: Operation not permitted`, and
 * crun (podman's default) with `cgroups in hybrid mode not supported`. A file that already
 * exists is left alone when it has the settings, and otherwise reported, never overwritten.
 */
export function ensureContainersConf(print: (line: string) => void): void {
  if (existsSync(CONTAINERS_CONF)) {
    const text = readFileSync(CONTAINERS_CONF, 'utf8');
    if (/runtime\s*=\s*"runc"/.test(text) && /default_ulimits/.test(text)) {
      print(`${CONTAINERS_CONF}: has runtime = "runc" and default_ulimits`);
      return;
    }
    throw new Error(
      `${CONTAINERS_CONF} exists without runtime = "runc" and default_ulimits; add them (../shared/CONTAINERS.md)`,
    );
  }
  mkdirSync(dirname(CONTAINERS_CONF), { recursive: true });
  writeFileSync(
    CONTAINERS_CONF,
    [
      '# Written by npm run test:deploy (../shared/CONTAINERS.md): without these, containers fail',
      '# with "setrlimit RLIMIT_NOFILE: Operation not permitted" / "cgroups in hybrid mode".',
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      '[engine]',
      'runtime = "runc"',
      '',
    ].join('\n'),
  );
  print(`${CONTAINERS_CONF}: written`);
}

/** podman's Docker-compatible API on a socket of our own, for docker-compose. */
export interface PodmanService {
  dockerHost: string;
  stop(): Promise<void>;
}

export async function startPodmanService(dir: string): Promise<PodmanService> {
  const socket = join(dir, 'podman.sock');
  // --time=0: no idle timeout; we stop it ourselves (by pid) when the run ends.
  const child: ChildProcess = spawn(
    'podman',
    ['system', 'service', '--time=0', `unix://${socket}`],
    {
      stdio: 'ignore',
    },
  );
  const dockerHost = `unix://${socket}`;
  for (let i = 0; !(await answersPing(socket)); i++) {
    if (child.exitCode !== null || i > 200) {
      child.kill('SIGKILL');
      throw new Error('podman system service did not answer on its socket');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    dockerHost,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** GET /_ping on the Docker API socket. */
function answersPing(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
