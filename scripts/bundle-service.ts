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
  entryPoints: [join(root, 'dist', 'src', 'service.js')],
  outfile: SERVICE_BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Nest names providers and log contexts after classes: no renaming.
  keepNames: true,
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
