#!/usr/bin/env node
// `npm run studio [-- --port 5555]`: Prisma Studio on the database the service uses.
// Prisma 7's CLI does not read .env, so a DATABASE_URL kept there would be ignored and Studio
// would quietly open the development database named in prisma.config.ts instead. This wrapper
// takes DATABASE_URL the way the service does (a real variable wins over .env) and says which
// database it opens, password left out. Studio needs no schema engine, so it works offline.
const { spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { parse } = require('dotenv');

const ROOT = path.join(__dirname, '..');
const DEV_DATABASE_URL = 'mysql://root@127.0.0.1:3306/wxauth';

function studioDatabaseUrl(env = process.env) {
  const envFile = path.join(ROOT, '.env');
  const fromFile = existsSync(envFile) ? parse(readFileSync(envFile)) : {};
  return env.DATABASE_URL?.trim() || fromFile.DATABASE_URL?.trim() || DEV_DATABASE_URL;
}

function withoutPassword(databaseUrl) {
  const url = new URL(databaseUrl);
  url.password = '';
  return url.toString();
}

/** Starts the Prisma CLI's Studio; the caller owns the returned child process. */
function startStudio(args, { databaseUrl = studioDatabaseUrl(), stdio = 'inherit' } = {}) {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    // No usage ping from a tool that is pointed at production data.
    CHECKPOINT_DISABLE: '1',
  };
  const cli = require.resolve('prisma/build/index.js');
  return spawn(process.execPath, [cli, 'studio', ...args], { cwd: ROOT, env, stdio });
}

if (require.main === module) {
  const databaseUrl = studioDatabaseUrl();
  console.log(`Prisma Studio for ${withoutPassword(databaseUrl)}`);
  const child = startStudio(process.argv.slice(2), { databaseUrl });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

module.exports = { withoutPassword, startStudio, studioDatabaseUrl };
