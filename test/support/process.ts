import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startScriptNodeFlags } from '../../scripts/start-flags';

export const COMPILED_MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export interface ServiceProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the compiled service (`npm run build` first) as its own process, as production does:
 * with the node flags of `npm start`.
 */
export function spawnService(env: Record<string, string>): ServiceProcess {
  if (!existsSync(COMPILED_MAIN))
    throw new Error(`${COMPILED_MAIN} is missing: run \`npm run build\` first`);
  let output = '';
  const flags = startScriptNodeFlags(join(__dirname, '..', '..'));
  const child = spawn(process.execPath, [...flags, COMPILED_MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: join(__dirname, '..', 'support'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits until GET url answers 200, or fails after timeoutMs. */
export async function waitForOk(url: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}
