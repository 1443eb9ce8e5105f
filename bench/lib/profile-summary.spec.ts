import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleModules, moduleAtLine, summarizeProfile } from './profile-summary';

/** A bundle as esbuild writes it: each inlined module opens with a comment naming it. */
const BUNDLE = [
  '"use strict";',
  '// node_modules/axios/dist/node/axios.cjs',
  'function mergeConfig() {}',
  '// dist/src/auth/session.service.js',
  'function requireCaller() {}',
  '// a comment that names no module',
  'requireCaller();',
].join('\n');

describe('bundleModules and moduleAtLine', () => {
  const modules = bundleModules(BUNDLE);

  it('finds the first line of every module the bundle inlines, and nothing else', () => {
    expect(modules).toEqual([
      { line: 2, module: 'node_modules/axios/dist/node/axios.cjs' },
      { line: 4, module: 'dist/src/auth/session.service.js' },
    ]);
  });

  it('gives each line the module it stands in', () => {
    expect(moduleAtLine(modules, 1)).toBeUndefined();
    expect(moduleAtLine(modules, 3)).toBe('node_modules/axios/dist/node/axios.cjs');
    expect(moduleAtLine(modules, 5)).toBe('dist/src/auth/session.service.js');
    expect(moduleAtLine(modules, 7)).toBe('dist/src/auth/session.service.js');
  });
});

describe('summarizeProfile', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'profile-summary-'));
    mkdirSync(join(root, 'dist/src'), { recursive: true });
    writeFileSync(join(root, 'dist/src/service.bundle.js'), BUNDLE);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('attributes frames of the bundle to the package or app folder they came from', () => {
    const bundle = pathToFileURL(join(root, 'dist/src/service.bundle.js')).href;
    const packaged = pathToFileURL(join(root, 'node_modules/mariadb/lib/pool.js')).href;
    const frame = (functionName: string, url: string, lineNumber: number) => ({
      functionName,
      url,
      lineNumber,
    });
    // Line numbers are 0-based in V8's profiles: 4 is line 5 (requireCaller), 2 is line 3.
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1), children: [2, 5] },
        { id: 2, callFrame: frame('requireCaller', bundle, 4), children: [3, 4] },
        { id: 3, callFrame: frame('mergeConfig', bundle, 2) },
        { id: 4, callFrame: frame('getConnection', packaged, 10) },
        { id: 5, callFrame: frame('(idle)', '', -1) },
      ],
      samples: [3, 3, 2, 4, 5, 5],
    };
    const file = join(root, 'service-me.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));

    const summary = summarizeProfile(file);

    expect(summary.busySamples).toBe(4);
    expect(summary.selfGroups).toEqual([
      { name: 'axios', percent: 50 },
      { name: 'app: src/auth', percent: 25 },
      { name: 'mariadb', percent: 25 },
    ]);
    expect(summary.inclusiveGroups[0]).toEqual({ name: 'app: src/auth', percent: 100 });
    expect(summary.selfFunctions[0]).toEqual({
      name: 'mergeConfig axios/dist/node/axios.cjs (bundle line 3)',
      percent: 50,
    });
    expect(summary.selfFunctions.map((share) => share.name)).toContain(
      'getConnection mariadb/lib/pool.js:11',
    );
    expect(summary.inclusiveAppFunctions).toEqual([
      { name: 'requireCaller src/auth/session.service.js (bundle line 5)', percent: 100 },
    ]);
  });
});
