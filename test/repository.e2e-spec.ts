import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Checks of the repository's own files; no database, no service.
const ROOT = join(__dirname, '..');

interface LockedPackage {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

describe('package-lock.json', () => {
  // npm 11's `npm ci` refuses a lockfile that leaves out any optional dependency, even one for
  // another platform ("Missing: @unrs/resolver-binding-… from lock file"); npm 10 let it pass.
  it("lists every locked package's optional dependencies, for every platform", () => {
    const { packages } = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockedPackage>;
    };
    /** Where Node would find `name` from the package at `path`: its own node_modules, then its parents'. */
    const resolves = (path: string, name: string): boolean => {
      for (let dir = path; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
        if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
        if (!dir) return false;
      }
    };
    const missing = Object.entries(packages).flatMap(([path, locked]) =>
      Object.keys(locked.optionalDependencies ?? {})
        .filter((name) => !resolves(path, name))
        .map((name) => `${name} (optional dependency of ${path || 'the project'})`),
    );
    expect(missing).toEqual([]);
  });
});

describe('Dockerfile', () => {
  // The bench, the soak and the spawned e2e services run `npm start`'s flags; the image must too.
  it("runs the service with the node flags of package.json's start script", () => {
    const start = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: { start: string };
      }
    ).scripts.start;
    // The last CMD is the final image's (an earlier stage has its own).
    const cmds = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^CMD (\[.*\])$/gm)];
    expect(JSON.parse(cmds.at(-1)?.[1] ?? '[]')).toEqual(start.split(' '));
  });
});
