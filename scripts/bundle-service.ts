import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_PARAMETERS, SERVICE_BUNDLE } from '../src/service-bundle';
import { asciiSource } from './ascii-source';
import { startScriptNodeFlags } from './start-flags';

const root = join(__dirname, '..', '..');

/** Left out of the bundle and required from node_modules as before, each for its reason. */
const NOT_BUNDLED = [
  // Optional packages Nest tries to require and does without: not installed, or not used.
  '@nestjs/microservices',
  '@nestjs/websockets',
  '@nestjs/platform-express',
  '@fastify/view',
  'class-transformer/storage',
  // Swagger UI's files are served from its own folder, which it finds from its __dirname.
  'swagger-ui-dist',
  // Prisma's query compiler as WebAssembly in base64 (4.5 MB of source), loaded on the first
  // Prisma query; the hot paths run on the SqlClient and never load it.
  '@prisma/client/runtime/query_compiler_fast_bg.mysql.wasm-base64.js',
  // Required only with METRICS_PORT or REDIS_URL; ioredis reads its own package.json.
  'prom-client',
  'ioredis',
  '@nest-lab/throttler-storage-redis',
];

/**
 * The second half of `npm run build`: the compiled service (dist/src/service.js) and the
 * packages it requires in one file of ASCII, then V8's code cache for it, made by node with the
 * flags of `npm start` (V8 refuses a cache made under other flags). See src/service-bundle.ts.
 */
const [bundle] = buildSync({
  // An entry of its own, so that service.js is wrapped like every other module: esbuild puts an
  // entry's "use strict" at the top of the file, which would make every package strict.
  stdin: {
    contents: "module.exports = require('./service.js');",
    resolveDir: join(root, 'dist', 'src'),
    sourcefile: 'service-bundle-entry.js',
  },
  outfile: SERVICE_BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // No keepNames: it redefines `name` on every named closure each time one is created, which cost
  // GET /users/me about a tenth of its requests a second. Classes of dist/src keep their names
  // anyway (each module is wrapped whole); test/service-bundle.e2e-spec.ts checks it.
  external: NOT_BUNDLED,
  // The file is the function node wraps a CommonJS module in, so that loading it keeps one copy
  // of its 12 MB of source in memory rather than the file's and the wrapped one.
  banner: { js: `(function (${BUNDLE_PARAMETERS.join(', ')}) {` },
  footer: { js: '})' },
  logLevel: 'warning',
  // lazy-schema-compilers.ts resolves Fastify's folder at run time on purpose.
  logOverride: { 'require-resolve-not-external': 'silent' },
  write: false,
}).outputFiles;
writeFileSync(SERVICE_BUNDLE, asciiSource(bundle.text));
execFileSync(
  process.execPath,
  [...startScriptNodeFlags(root), join(__dirname, 'write-code-cache.js')],
  { stdio: 'inherit' },
);
