/*
 * The cluster's processes: started detached (they outlive `npm run cluster -- up`), recorded by
 * pid in a state file, and only ever signalled after checking that the pid still runs one of
 * our own command lines (a pid the kernel has reused for something else is left alone).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemberName } from './topology';

export interface RunningMember {
  pid: number;
  /** Something only this member's command line holds: the cluster's own directory. */
  marker: string;
}

export interface ClusterState {
  /** The temporary directory holding every datadir, config and log. */
  root: string;
  members: Partial<Record<MemberName, RunningMember>>;
}

/** Where `up` records what it started, for `down` and `status` in later invocations. */
export const STATE_FILE = process.env.CLUSTER_STATE_FILE ?? join(tmpdir(), 'wxauth-cluster.json');

export function readState(): ClusterState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as ClusterState;
}

export function writeState(state: ClusterState): void {
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

export function forgetState(): void {
  rmSync(STATE_FILE, { force: true });
}

/**
 * Starts a detached process in `dir` (garbd writes its state file into its working directory),
 * its output appended to a log file.
 */
export function launch(
  command: string,
  args: string[],
  files: { dir: string; log: string },
  marker: string,
): RunningMember {
  const log = openSync(files.log, 'a');
  const child = spawn(command, args, {
    cwd: files.dir,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` },
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`${command} could not be started`);
  return { pid: child.pid, marker };
}

/** Whether the pid is alive and still one of ours. */
export function isRunning(member: RunningMember | undefined): member is RunningMember {
  if (!member) return false;
  try {
    const commandLine = readFileSync(`/proc/${member.pid}/cmdline`, 'utf8');
    const state = /\) (\S)/.exec(readFileSync(`/proc/${member.pid}/stat`, 'utf8'))?.[1];
    return commandLine.includes(member.marker) && state !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** SIGTERM (a clean shutdown) or SIGKILL (a crash); waits until the process is gone. */
export async function signalMember(
  member: RunningMember | undefined,
  signal: 'SIGTERM' | 'SIGKILL',
  graceMs = 30000,
): Promise<void> {
  if (!isRunning(member)) return;
  process.kill(member.pid, signal);
  const deadline = Date.now() + graceMs;
  while (isRunning(member)) {
    if (Date.now() > deadline) {
      process.kill(member.pid, 'SIGKILL');
      await sleep(200);
      return;
    }
    await sleep(100);
  }
}

/** Polls `check` until it holds; fails after timeoutMs, or at once when `member` has died. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  member?: RunningMember,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    if (member && !isRunning(member)) throw new Error(`${what}: the process exited`);
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(200);
  }
}
