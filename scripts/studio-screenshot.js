#!/usr/bin/env node
// `npm run studio:screenshot [-- --table account --out docs/studio-users.png]`: starts Prisma
// Studio on a free port (database as in `npm run studio`), photographs one table with headless
// Chromium and stops Studio again. Needs Debian's `chromium` (or CHROMIUM=/path/to/chrome); a
// CJK font such as fonts-wqy-microhei shows Chinese nicknames instead of empty boxes.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, statSync } = require('node:fs');
const { createServer } = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { startStudio, studioDatabaseUrl, withoutPassword } = require('./studio');

// Studio lists columns alphabetically; pinning puts the ones an admin looks for first.
const PINNED_COLUMNS = {
  account: ['id', 'status', 'nickname', 'phone', 'login_count', 'last_login_at'],
  wx_user: ['id', 'account_id', 'app_id', 'openid', 'unionid', 'login_count'],
  auth_session: ['id', 'wx_user_id', 'revoked_at', 'revoke_reason', 'expires_at'],
  login_log: ['id', 'wx_user_id', 'at', 'ip', 'is_new_user'],
  audit_log: ['id', 'at', 'actor', 'action', 'account_id', 'reason'],
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url, studio, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (studio.exitCode !== null) throw new Error(`Prisma Studio exited with ${studio.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Prisma Studio did not answer at ${url} within ${timeoutMs / 1000} s`);
}

function findChromium() {
  const candidates = [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'];
  for (const candidate of candidates.filter(Boolean)) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('No Chromium found: apt-get install -y chromium, or set CHROMIUM');
}

function screenshot(chromium, url, out) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'studio-shot-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--window-size=1400,900',
    // Lets the page's scripts load the rows before the picture is taken.
    '--virtual-time-budget=15000',
    `--screenshot=${out}`,
    url,
  ];
  return new Promise((resolve, reject) => {
    const browser = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    browser.stderr.on('data', (chunk) => (stderr += chunk));
    browser.on('error', reject);
    browser.on('exit', (code) => {
      rmSync(profile, { recursive: true, force: true });
      if (code === 0) resolve();
      else reject(new Error(`Chromium exited with ${code}:\n${stderr}`));
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      table: { type: 'string', default: 'account' },
      out: { type: 'string', default: 'docs/studio-users.png' },
    },
  });
  const out = path.resolve(values.out);
  const chromium = findChromium();
  const databaseUrl = studioDatabaseUrl();
  const schema = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const port = await freePort();
  console.log(`Prisma Studio for ${withoutPassword(databaseUrl)} on port ${port}`);
  const studio = startStudio(['--port', String(port), '--browser', 'none'], {
    databaseUrl,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}/`;
    await waitUntilServing(base, studio, 60_000);
    const hash = new URLSearchParams({ schema, table: values.table, view: 'table' });
    const pinned = PINNED_COLUMNS[values.table];
    if (pinned) hash.set('pin', pinned.join(','));
    await screenshot(chromium, `${base}#${hash}`, out);
  } finally {
    studio.kill('SIGTERM');
  }
  console.log(`Saved ${path.relative(process.cwd(), out)} (${statSync(out).size} bytes)`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
