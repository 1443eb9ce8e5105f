#!/usr/bin/env node
// Runs `prisma generate` on install. Prisma's CLI first looks for its schema-engine binary
// and tries to download it, which fails on machines without internet; `generate` only checks
// that the file named by PRISMA_SCHEMA_ENGINE_BINARY exists and never runs it, so when the
// caller has not named one we point it at a file that is always there.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(__dirname, 'prisma-generate.js');
}
const prismaCli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [prismaCli, 'generate'], {
  cwd: path.join(__dirname, '..'),
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
