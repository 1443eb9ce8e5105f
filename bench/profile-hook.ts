/**
 * Preloaded (`node --require`) into a benchmarked process when profiling. Each SIGWINCH
 * toggles the V8 CPU profiler: the first starts it, the second writes
 * `$BENCH_PROFILE_DIR/<pid>-<n>.cpuprofile` (renamed into place, so a reader never sees half
 * a file). Unlike `--cpu-prof`, this profiles only the measured window and does not depend
 * on how the process exits.
 */
import { Session } from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const directory = process.env.BENCH_PROFILE_DIR ?? '.';
const intervalUs = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 500);
const session = new Session();
session.connect();
let running = false;
let written = 0;

process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: intervalUs }, () =>
        session.post('Profiler.start'),
      ),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) {
      console.error('profile-hook: stop failed', error);
      return;
    }
    const file = join(directory, `${process.pid}-${++written}.cpuprofile`);
    writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
    renameSync(`${file}.tmp`, file);
  });
});
