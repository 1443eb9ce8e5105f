import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm run studio` on a server without a browser, as admins run it (docs/admin-studio.md).
const STUDIO = join(__dirname, '..', 'scripts', 'studio.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let bin: string;
beforeAll(() => {
  // A stand-in `xdg-open` that records being called: Studio must not try to open a browser.
  bin = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" > "${bin}/opened"\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function runStudio(args: string[], env: Record<string, string> = {}) {
  let output = '';
  const child = spawn(process.execPath, [STUDIO, ...args], {
    env: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? tmpdir(),
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/wxauth_studio_e2e',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function expectServedHeadless(args: string[], env: Record<string, string>, port: number) {
  const studio = runStudio(args, env);
  try {
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      if (studio.child.exitCode !== null)
        throw new Error(`studio exited ${studio.child.exitCode}: ${studio.output()}`);
      status = await fetch(`http://127.0.0.1:${port}/`).then(
        (response) => response.status,
        () => 0,
      );
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect(studio.output()).toContain(`Open http://localhost:${port} in a browser`);
    expect(studio.output()).toContain('wxauth_studio_e2e');
    expect(studio.output()).not.toMatch(/ENOENT|Error/);
    expect(existsSync(join(bin, 'opened'))).toBe(false);
  } finally {
    studio.child.kill('SIGTERM');
    await studio.exited;
  }
}

describe('npm run studio', () => {
  it('starts without opening a browser on the port given with --port', async () => {
    const port = await freePort();
    await expectServedHeadless(['--port', String(port)], {}, port);
  });

  it('takes the port from STUDIO_PORT', async () => {
    const port = await freePort();
    await expectServedHeadless([], { STUDIO_PORT: String(port) }, port);
  });

  it('refuses a malformed port, naming it', async () => {
    const studio = runStudio([], { STUDIO_PORT: '55a' });
    expect(await studio.exited).toBe(2);
    expect(studio.output()).toMatch(/STUDIO_PORT must be a port number/);
  });
});
