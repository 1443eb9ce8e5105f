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
  let bundle: string;

  beforeAll(() => {
    if (!existsSync(SERVICE_BUNDLE_MODULE)) throw new Error('run `npm run build` first');
    bundle = readFileSync(join(root, 'dist', 'src', 'service.bundle.js'), 'utf8');
  });

  it('is taken by node with the flags of npm start, which the Dockerfile runs too', () => {
    expect(codeCacheAcceptedWith(startScriptNodeFlags(root))).toBe(true);
  });

  it('is refused under other flags, and the bundle still loads', () => {
    expect(codeCacheAcceptedWith([])).toBe(false);
  });

  it('holds the service, not the packages that must stay outside it', () => {
    expect(bundle).toContain('// dist/src/service.js');
    expect(bundle).toContain('// node_modules/@nestjs/core/');
    // swagger-ui-dist finds its files from its own folder; the others load on demand.
    const outside = [
      'swagger-ui-dist/',
      'prom-client/',
      'ioredis/',
      '@prisma/client/runtime/query_compiler_fast_bg.mysql.wasm-base64.js',
    ];
    for (const path of outside) expect(bundle).not.toContain(`// node_modules/${path}`);
  });

  it("keeps the names of the service's classes, which Nest, Swagger and the logs read", () => {
    // Without esbuild's keepNames a class it renamed would carry the new name; each module of
    // dist/src must declare in the bundle exactly the classes tsc compiled it with.
    const sections = bundle.split(/^\/\/ (?=dist\/src\/|node_modules\/)/m);
    // `class A` or `A = class`: a class expression takes the name of what it is assigned to.
    const classesIn = (code: string) =>
      [...code.matchAll(/\b([\w$]+) = class\b|\bclass ([\w$]+)/g)].map((m) => m[1] ?? m[2]);
    let modules = 0;
    for (const section of sections.filter((each) => each.startsWith('dist/src/'))) {
      const file = section.slice(0, section.indexOf('\n'));
      // The bundle's own entry, written by scripts/bundle-service.ts: no file, no class.
      if (file === 'dist/src/service-bundle-entry.js') continue;
      const compiled = readFileSync(join(root, file), 'utf8');
      expect({ file, classes: classesIn(section) }).toEqual({ file, classes: classesIn(compiled) });
      modules++;
    }
    expect(modules).toBeGreaterThan(100);
  });
});
