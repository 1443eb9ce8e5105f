import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  /** Set where the frame was a bundle's: `url` names the module, `lineNumber` is the bundle's. */
  bundleLine?: boolean;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface Share {
  name: string;
  percent: number;
}

export interface ProfileSummary {
  /** Samples that were not idle. */
  busySamples: number;
  /** Share of busy samples spent in each function itself. */
  selfFunctions: Share[];
  /** Share of busy samples spent in each code group itself (package, node internals, app). */
  selfGroups: Share[];
  /** Share of busy samples with the group anywhere on the stack (callees included), npm packages and app only. */
  inclusiveGroups: Share[];
  /** Share of busy samples under each of the app's own functions (callees included). */
  inclusiveAppFunctions: Share[];
}

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/**
 * `npm start` runs the service from one esbuild bundle, where every frame's url is the
 * bundle's. esbuild opens each module it inlines with a comment line naming it
 * (`// node_modules/axios/dist/node/axios.cjs`, `// dist/src/auth/session.service.js`), so a
 * frame's line tells which module, and so which package or app folder, it came from.
 */
const MODULE_START = /^\/\/ ((?:node_modules|dist)\/\S+\.[cm]?js)$/;

/** A module a bundle inlines, from its first line (1-based). */
interface BundleModule {
  line: number;
  module: string;
}

/** The modules of a bundle, in order. */
export function bundleModules(source: string): BundleModule[] {
  const modules: BundleModule[] = [];
  source.split('\n').forEach((text, index) => {
    const match = MODULE_START.exec(text);
    if (match) modules.push({ line: index + 1, module: match[1] });
  });
  return modules;
}

/** The module a 1-based line of the bundle belongs to, or undefined before the first. */
export function moduleAtLine(modules: BundleModule[], line: number): string | undefined {
  let low = 0;
  let high = modules.length - 1;
  let found: string | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (modules[middle].line <= line) {
      found = modules[middle].module;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/**
 * Rewrites a frame of a bundle to the module it came from (its url then names that file under
 * the bundle's root, as unbundled frames do); the line stays the bundle's. Other frames, and
 * bundles without module comments, are left as they are.
 */
function unbundler(): (frame: CallFrame) => CallFrame {
  const bundles = new Map<string, { root: string; modules: BundleModule[] }>();
  const bundleOf = (url: string) => {
    let known = bundles.get(url);
    if (!known) {
      const path = fileURLToPath(url);
      const source = existsSync(path) ? readFileSync(path, 'utf8') : '';
      known = { root: path.replace(/\/dist\/.*$/, ''), modules: bundleModules(source) };
      bundles.set(url, known);
    }
    return known;
  };
  return (frame) => {
    if (!frame.url.startsWith('file://') || !frame.url.endsWith('.bundle.js')) return frame;
    const { root, modules } = bundleOf(frame.url);
    const module = moduleAtLine(modules, frame.lineNumber + 1);
    if (!module) return frame;
    return { ...frame, url: pathToFileURL(join(root, module)).href, bundleLine: true };
  };
}

/** Which code a frame belongs to: an npm package, a node internal module, the app, or V8. */
export function groupOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return SPECIAL.has(functionName) ? functionName : '(native)';
  const packageMatch = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1];
  if (url.startsWith('node:')) return url.replace(/\/[^/]*$/, '');
  if (url.includes('/src/generated/')) return 'app: generated prisma client';
  const app = /.*\/((?:src|bench)\/[^/]+)/.exec(url);
  if (app) return `app: ${app[1].replace(/\.js$/, '')}`;
  if (url.startsWith('wasm://')) return 'wasm (Prisma query compiler)';
  return url;
}

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/((?:src|bench)\/)/, '$1');
  const line = frame.bundleLine
    ? ` (bundle line ${frame.lineNumber + 1})`
    : `:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'} ${file}${line}`;
}

function top(counts: Map<string, number>, total: number, limit: number): Share[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, count]) => ({ name, percent: (100 * count) / total }));
}

export function summarizeProfile(file: string, limit = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const unbundle = unbundler();
  const byId = new Map(
    profile.nodes.map((node) => [node.id, { ...node, callFrame: unbundle(node.callFrame) }]),
  );
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const stackFrames = new Map<number, Set<string>>();
  const appFramesOnStack = (id: number): Set<string> => {
    const known = stackFrames.get(id);
    if (known) return known;
    const up = parent.get(id);
    const frames = new Set(up === undefined ? [] : appFramesOnStack(up));
    const frame = byId.get(id)!.callFrame;
    if (groupOf(frame).startsWith('app: src')) frames.add(frameName(frame));
    stackFrames.set(id, frames);
    return frames;
  };
  const stackGroups = new Map<number, Set<string>>();
  const groupsOnStack = (id: number): Set<string> => {
    const known = stackGroups.get(id);
    if (known) return known;
    const up = parent.get(id);
    const groups = new Set(up === undefined ? [] : groupsOnStack(up));
    groups.add(groupOf(byId.get(id)!.callFrame));
    stackGroups.set(id, groups);
    return groups;
  };

  const selfFunctions = new Map<string, number>();
  const selfGroups = new Map<string, number>();
  const inclusiveGroups = new Map<string, number>();
  const inclusiveApp = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy++;
    const name = SPECIAL.has(frame.functionName) ? frame.functionName : frameName(frame);
    selfFunctions.set(name, (selfFunctions.get(name) ?? 0) + 1);
    const group = groupOf(frame);
    selfGroups.set(group, (selfGroups.get(group) ?? 0) + 1);
    for (const g of groupsOnStack(id)) {
      // Node's own modules sit under every async continuation; listing them says nothing.
      if (!SPECIAL.has(g) && g !== '(native)' && !g.startsWith('node:')) {
        inclusiveGroups.set(g, (inclusiveGroups.get(g) ?? 0) + 1);
      }
    }
    for (const f of appFramesOnStack(id)) inclusiveApp.set(f, (inclusiveApp.get(f) ?? 0) + 1);
  }
  return {
    busySamples: busy,
    selfFunctions: top(selfFunctions, busy, limit),
    selfGroups: top(selfGroups, busy, limit),
    inclusiveGroups: top(inclusiveGroups, busy, limit),
    inclusiveAppFunctions: top(inclusiveApp, busy, limit),
  };
}
