/*
 * Starting and stopping the service, the emulator and the bench baseline as child processes,
 * for `npm run bench` and `npm run soak`: only ever our own children, by pid.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A port that was free a moment ago (the OS picks it; we release it for the child). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Spawned {
  name: string;
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawn to the first 200 on the health path. */
  readyMs: number;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/**
 * Where the child listens: a port we chose, or (for a child started with PORT=0) a file in
 * which it writes `{"url": …}` once listening, which leaves no window for another process
 * to take a port we picked.
 */
type Address = { port: number; urlFile?: never } | { urlFile: string; port?: never };

export type SpawnOptions = Address & {
  name: string;
  entry: string;
  env: Record<string, string>;
  healthPath: string;
  logFile: string;
  nodeArgs?: string[];
  /** Working directory; an empty one keeps a developer's .env out of the child's settings. */
  cwd?: string;
  timeoutMs?: number;
};

/**
 * Starts `node <entry>` with only the given environment (plus PATH), stdout and stderr
 * appended to a log file (the kernel writes them; this process does not relay), and
 * waits for the first 200 on the health path.
 */
export async function startProcess(options: SpawnOptions): Promise<Spawned> {
  // A file left by an earlier child must not pass for this one's address.
  if (options.urlFile) rmSync(options.urlFile, { force: true });
  const log = openSync(options.logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  let url = options.urlFile ? undefined : `http://127.0.0.1:${options.port}`;
  const deadline = started + (options.timeoutMs ?? 20000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(
        `${options.name} exited with code ${exitCode} before it was ready; see ${options.logFile}`,
      );
    }
    if (url === undefined && options.urlFile) url = urlWrittenTo(options.urlFile);
    try {
      if (url) {
        const response = await fetch(`${url}${options.healthPath}`);
        await response.arrayBuffer();
        if (response.status === 200) break;
      }
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      await stopProcess(child);
      throw new Error(
        `${options.name} was not ready within ${options.timeoutMs ?? 20000} ms; see ${options.logFile}`,
      );
    }
    await sleep(10);
  }
  return { name: options.name, child, url, readyMs: performance.now() - started, exited };
}

/** The `url` a child wrote to its URL file, or undefined while the file is absent or partial. */
function urlWrittenTo(file: string): string | undefined {
  try {
    const { url } = JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown };
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL after a grace period. Only ever our own children, by pid. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child still running, each as {@link stopProcess} does. */
export async function stopAllChildren(graceMs?: number): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child, graceMs)));
}

/** Last-resort cleanup: kill every child still running (used on timeout or signal). */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Resident and peak resident memory of a process, in MB, from /proc. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
