/*
 * The base images the committed Dockerfile and docker-compose.yml name, made locally because no
 * image can be pulled here (../shared/CONTAINERS.md), each only when it is not there yet, and
 * tagged with the official names so that `FROM node:20-bookworm-slim` and `image: nginx:stable`
 * resolve offline. MySQL 8 cannot be had at all: MariaDB 10.11 stands in for it, under a name of
 * its own (never tagged as mysql), used by deploy/test/compose.deploy-test.yml only.
 */
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { debianMirror } from './checks';
import { probe, run } from './shell';

export const DEBIAN_IMAGE = 'localhost/debian:bookworm-min';
export const NODE_IMAGE = 'localhost/wxauth-test/node:20';
export const NGINX_IMAGE = 'localhost/wxauth-test/nginx:debian';
/** MariaDB 10.11 STANDING IN FOR MySQL 8 (deploy/test/images/mariadb). */
export const MARIADB_STANDIN_IMAGE = 'localhost/wxauth-test/mariadb-standin:10.11';

/** The names the committed files use, and the local image that answers to each. */
export const OFFICIAL_TAGS: ReadonlyArray<[official: string, local: string]> = [
  ['docker.io/library/node:20-bookworm-slim', NODE_IMAGE],
  ['docker.io/library/nginx:stable', NGINX_IMAGE],
];

export function imageExists(name: string): boolean {
  return probe('podman', ['image', 'exists', name]).ok;
}

/** Builds every missing base image; returns what it built, for the summary. */
export function ensureBaseImages(root: string, print: (line: string) => void): string[] {
  const built: string[] = [];
  const timed = (name: string, make: () => void) => {
    if (imageExists(name)) {
      print(`${name}: present`);
      return;
    }
    const started = Date.now();
    make();
    print(`${name}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    built.push(name);
  };
  const images = join(root, 'deploy/test/images');
  timed(DEBIAN_IMAGE, makeDebianImage);
  timed(NODE_IMAGE, () => makeNodeImage(join(images, 'node')));
  timed(NGINX_IMAGE, () => buildImage(NGINX_IMAGE, join(images, 'nginx')));
  timed(MARIADB_STANDIN_IMAGE, () => buildImage(MARIADB_STANDIN_IMAGE, join(images, 'mariadb')));
  for (const [official, local] of OFFICIAL_TAGS) run('podman', ['tag', local, official]);
  print(`tagged ${OFFICIAL_TAGS.map(([official]) => official).join(', ')}`);
  return built;
}

/** `--format docker`: the OCI format drops HEALTHCHECK (podman build only warns about it). */
function buildImage(name: string, context: string): void {
  run('podman', ['build', '--format', 'docker', '-t', name, context]);
}

/** A minimal Debian bookworm from the mirror apt uses here, without docs, man pages, locales. */
function makeDebianImage(): void {
  const sources = [
    '/etc/apt/sources.list',
    ...listDir('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)),
  ].flatMap((file) => {
    try {
      return [readFileSync(file, 'utf8')];
    } catch {
      return [];
    }
  });
  const mirror = process.env.DEPLOY_TEST_DEBIAN_MIRROR ?? debianMirror(sources, 'bookworm');
  if (!mirror)
    throw new Error('no Debian bookworm mirror in apt sources; set DEPLOY_TEST_DEBIAN_MIRROR');
  const dir = mkdtempSync(join(tmpdir(), 'wxauth-debian-'));
  try {
    const tarball = join(dir, 'rootfs.tar');
    run('mmdebstrap', [
      '--quiet',
      '--variant=minbase',
      '--include=ca-certificates',
      // Kept in the image's dpkg configuration, so later installs skip them too (as slim does).
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-exclude=/usr/share/man/*',
      '--dpkgopt=path-exclude=/usr/share/locale/*',
      'bookworm',
      tarball,
      mirror,
    ]);
    run('podman', ['import', tarball, DEBIAN_IMAGE]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Node 20 from this machine's own binary and npm, plus the extra CA certificates the machine
 * trusts: npm inside the build goes through the same HTTPS interception as npm here.
 */
function makeNodeImage(dockerfileDir: string): void {
  const node = process.execPath;
  const npm = resolve(dirname(node), '../lib/node_modules/npm');
  const context = mkdtempSync(join(tmpdir(), 'wxauth-node-image-'));
  try {
    copyFileSync(join(dockerfileDir, 'Dockerfile'), join(context, 'Dockerfile'));
    copyFileSync(node, join(context, 'node'));
    cpSync(npm, join(context, 'npm'), { recursive: true });
    const extra = listDir('/usr/local/share/ca-certificates')
      .filter((file) => file.endsWith('.crt'))
      .map((file) => readFileSync(join('/usr/local/share/ca-certificates', file), 'utf8'));
    writeFileSync(join(context, 'extra-ca.crt'), extra.join('\n'));
    buildImage(NODE_IMAGE, context);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
