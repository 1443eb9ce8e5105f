import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process and system CPU time in clock ticks of 1/100 s. */
const TICK_MS = 10;

/** CPU time (user + system) a process has used so far, in ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** Busy CPU time of the whole machine so far (all cores), in ms. */
export function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks.map(Number);
  void idle;
  void iowait;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** The pid of the first process with this command name, e.g. the shared `mariadbd`. */
export function pidOf(command: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

/** CPU used between two snapshots, split into ours (by pid) and everyone else's. */
export class CpuMeter {
  constructor(private readonly pids: Record<string, number | undefined>) {}

  snapshot(): Record<string, number> {
    const mine = Object.fromEntries(
      Object.entries(this.pids).map(([name, pid]) => [name, pid ? processCpuMs(pid) : 0]),
    );
    return { ...mine, machine: machineBusyMs(), wall: Date.now() };
  }

  /** ms of CPU per named process, plus `others`: busy time of processes we did not start or name. */
  since(before: Record<string, number>): Record<string, number> {
    const after = this.snapshot();
    const used = Object.fromEntries(Object.keys(before).map((k) => [k, after[k] - before[k]]));
    const named = Object.keys(this.pids).reduce((sum, name) => sum + used[name], 0);
    return { ...used, others: Math.max(0, used.machine - named) };
  }
}
