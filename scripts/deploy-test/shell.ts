/*
 * Running the commands `npm run test:deploy` drives (apt-get, podman, docker-compose, openssl),
 * synchronously: the steps are sequential on purpose (2 cores, shared with others), and a
 * failing command must stop the run with its own output in view.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';

export class CommandFailed extends Error {}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Print the command's output as it runs (builds, apt); otherwise it is returned. */
  stream?: boolean;
  /** Input written to the command's stdin. */
  input?: string;
}

/** Runs a command; returns its stdout (trimmed). Throws with its output when it fails. */
export function run(command: string, args: string[], options: RunOptions = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: options.stream ? ['pipe', 'inherit', 'inherit'] : 'pipe',
  });
  if (result.error) throw new CommandFailed(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = options.stream ? '' : `\n${result.stdout ?? ''}${result.stderr ?? ''}`.trimEnd();
    throw new CommandFailed(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}${output}`,
    );
  }
  return (result.stdout ?? '').trim();
}

/** Like {@link run}, but a failure is an answer (exit code and output), not an error. */
export function probe(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { env: env ?? process.env, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** Whether a program is on PATH. */
export function has(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a command without blocking the event loop (timers keep firing), printing its output as
 * it comes; rejects when it exits non-zero.
 */
export async function runAsync(
  command: string,
  args: string[],
  options: Omit<RunOptions, 'stream' | 'input'> = {},
): Promise<void> {
  const { code } = await runCapturing(command, args, options);
  if (code !== 0) throw new CommandFailed(`${command} ${args.join(' ')} exited with ${code}`);
}

/** Like {@link runAsync}, but resolves with the exit code and everything the command printed. */
export function runCapturing(
  command: string,
  args: string[],
  options: Omit<RunOptions, 'stream' | 'input'> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const relay = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString('utf8');
      to.write(chunk);
    };
    child.stdout.on('data', relay(process.stdout));
    child.stderr.on('data', relay(process.stderr));
    child.once('error', (error) => reject(new CommandFailed(`${command}: ${error.message}`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}
