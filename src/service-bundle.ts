import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';

/** What `npm run build` writes beside this file (scripts/bundle-service.ts). */
export const SERVICE_BUNDLE = join(__dirname, 'service.bundle.js');
export const SERVICE_CODE_CACHE = join(__dirname, 'service.bundle.cache');

/** The bundle is one function expression of these, as node's wrapper of a CommonJS module. */
export const BUNDLE_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

export interface ServiceBundle {
  startService: () => void;
  /** Whether V8 took the code cache: not when there is none, or it is another node's or flags'. */
  codeCacheAccepted: boolean;
  /** V8's code cache for the bundle, with every function compiled so far. */
  createCodeCache: () => Buffer;
}

type BundleWrapper = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: object },
  filename: string,
  dirname: string,
) => void;

/**
 * Loads the service from its bundle (service.ts and the packages it needs in one file) with
 * V8's code cache for it. Cold start was mostly Node resolving and V8 compiling about 1,800
 * module files (README, Performance); one file whose compiled code is read from a cache
 * skips both. Written by hand because Node 20 has no compile cache for CommonJS
 * (`module.enableCompileCache` came in Node 22), and `v8-compile-cache` is unmaintained and
 * cannot load this service's dependencies. A cache V8 refuses (another node, other flags)
 * costs only the compile it would have saved.
 */
export function loadServiceBundle(): ServiceBundle {
  const source = readFileSync(SERVICE_BUNDLE, 'utf8');
  const cachedData = readCodeCache();
  const script = new Script(source, {
    filename: SERVICE_BUNDLE,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // Packages left out of the bundle (scripts/bundle-service.ts) resolve from here, as they would
  // from the compiled files.
  const module = { exports: {} as { startService?: () => void } };
  (script.runInThisContext() as BundleWrapper)(
    module.exports,
    createRequire(SERVICE_BUNDLE),
    module,
    SERVICE_BUNDLE,
    dirname(SERVICE_BUNDLE),
  );
  const { startService } = module.exports;
  if (typeof startService !== 'function') throw new Error(`${SERVICE_BUNDLE} has no startService`);
  return {
    startService,
    codeCacheAccepted: cachedData !== undefined && !script.cachedDataRejected,
    createCodeCache: () => script.createCachedData(),
  };
}

function readCodeCache(): Buffer | undefined {
  try {
    return readFileSync(SERVICE_CODE_CACHE);
  } catch {
    return undefined;
  }
}

/** Writes the cache whole or not at all: a service starting meanwhile never reads half of one. */
export function writeCodeCache(cache: Buffer): void {
  const partial = `${SERVICE_CODE_CACHE}.${process.pid}`;
  writeFileSync(partial, cache);
  renameSync(partial, SERVICE_CODE_CACHE);
}
