import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startScriptNodeFlags } from '../scripts/start-flags';

const root = join(__dirname, '..');
const SERVICE_BUNDLE_MODULE = join(root, 'dist', 'src', 'service-bundle.js');

/** Whether V8 takes the built code cache in a node started with these flags. */
function codeCacheAcceptedWith(flags: string[]): boolean {
  const probe = `console.log(require(${JSON.stringify(SERVICE_BUNDLE_MODULE)}).loadServiceBundle().codeCacheAccepted)`;
  const output = execFileSync(process.execPath, [...flags, '-e', probe], {
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  return output.trim() === 'true';
}

// What `npm run build` makes for `npm start` (src/service-bundle.ts); the e2e suites that spawn
// the service (support/process.ts) run it through this bundle.
describe('the service bundle and its code cache', () => {
  beforeAll(() => {
    if (!existsSync(SERVICE_BUNDLE_MODULE)) throw new Error('run `npm run build` first');
  });

  it('is taken by node with the flags of npm start, which the Dockerfile runs too', () => {
    expect(codeCacheAcceptedWith(startScriptNodeFlags(root))).toBe(true);
  });

  it('is refused under other flags, and the bundle still loads', () => {
    expect(codeCacheAcceptedWith([])).toBe(false);
  });

  it('holds the service, not the packages that must stay outside it', () => {
    const bundle = readFileSync(join(root, 'dist', 'src', 'service.bundle.js'), 'utf8');
    expect(bundle).toContain('// dist/src/service.js');
    expect(bundle).toContain('// node_modules/@nestjs/core/');
    // swagger-ui-dist finds its files from its own folder; prom-client and ioredis load on demand.
    for (const outside of ['swagger-ui-dist', 'prom-client', 'ioredis']) {
      expect(bundle).not.toContain(`// node_modules/${outside}/`);
    }
  });
});
