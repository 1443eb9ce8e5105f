#!/usr/bin/env node
// `npm run studio [-- --port 5555] [-- --browser firefox]`: Prisma Studio on the database the
// service uses. Admins run it on servers without a browser (over an SSH tunnel), so it opens none
// unless `--browser` names one; it prints the address to open instead. The port is `--port`,
// else STUDIO_PORT, else 5555.
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
const DEFAULT_PORT = 5555;

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

class UsageError extends Error {}

function parsePort(name, raw) {
  const value = String(raw).trim();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw new UsageError(`${name} must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  }
  return Number(value);
}

/**
 * The Prisma CLI arguments for `npm run studio -- <argv>`: the port (`--port`/`-p`, else
 * STUDIO_PORT, else 5555) and `--browser none` unless `--browser`/`-b` names one; anything
 * else is passed on unchanged.
 */
function studioOptions(argv, env = process.env) {
  let port;
  let browser;
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const match = /^(--port|-p|--browser|-b)(?:=(.*))?$/.exec(argv[i]);
    if (!match) {
      rest.push(argv[i]);
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`${match[1]} needs a value`);
    if (match[1] === '--port' || match[1] === '-p') port = parsePort('--port', value);
    else browser = value;
  }
  if (port === undefined) {
    port = env.STUDIO_PORT?.trim() ? parsePort('STUDIO_PORT', env.STUDIO_PORT) : DEFAULT_PORT;
  }
  browser ??= 'none';
  return { port, browser, args: ['--port', String(port), '--browser', browser, ...rest] };
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
  let options;
  try {
    options = studioOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`npm run studio: ${error.message}`);
    process.exit(2);
  }
  const databaseUrl = studioDatabaseUrl();
  const url = `http://localhost:${options.port}`;
  console.log(`Prisma Studio for ${withoutPassword(databaseUrl)}`);
  if (options.browser === 'none') {
    console.log(
      `Open ${url} in a browser. Studio listens on this machine's loopback only; from another ` +
        `machine, forward the port first:\n  ssh -N -L ${options.port}:127.0.0.1:${options.port} you@this-server`,
    );
  }
  const child = startStudio(options.args, { databaseUrl });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

module.exports = { withoutPassword, startStudio, studioDatabaseUrl, studioOptions };
