import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The node flags of package.json's `start` script (heap limits, --liftoff-only,
 * --no-experimental-fetch), so that the bench, the soak and the e2e tests that spawn the service
 * run it as production runs it.
 */
export function startScriptNodeFlags(root: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return scripts.start.split(' ').filter((word) => word.startsWith('--'));
}
