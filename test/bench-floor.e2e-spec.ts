import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { freePort, startProcess, stopProcess } from '../scripts/processes';
import { createTestDatabase, TestDatabase } from './support/database';
import { mintLoginCode } from './support/wechat';

const FLOOR = join(__dirname, '..', 'dist', 'bench', 'floor.js');
const APP = { appId: 'wx5e6f7a8b9c0d1e2f', appSecret: randomBytes(16).toString('hex') };

const logs = mkdtempSync(join(tmpdir(), 'bench-floor-'));
let db: TestDatabase;
let emulator: RunningEmulator;

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startWechatEmulator({ port: 0, apps: [APP] });
});

afterAll(async () => {
  await emulator?.close();
  await db?.drop();
  rmSync(logs, { recursive: true, force: true });
});

interface Answer {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  user: { id: number; openid: string };
}

/* Not support/http's call: that checks answers against the service's openapi.json. */
async function send(url: string, init: { body?: unknown; token?: string } = {}) {
  const response = await fetch(url, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...(init.token && { authorization: `Bearer ${init.token}` }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

/*
 * bench/floor.ts is measured against the bare baseline as the bench's service; its figures mean
 * something only if it does the baseline's work on both paths, with or without each layer.
 */
describe("the fixed stack's floor (bench/floor.ts) answers the bench's two paths", () => {
  it.each(['none', 'passport', 'passport,validation,axios,jwt'])(
    'FLOOR_LAYERS=%s: a login gives tokens and a user, /users/me that user, a bad token 401',
    async (layers) => {
      // As the bench starts it: its own process, ready once /health answers 200.
      const port = await freePort();
      const floor = await startProcess({
        name: `floor (${layers})`,
        entry: FLOOR,
        port,
        healthPath: '/health',
        logFile: join(logs, 'floor.log'),
        env: {
          DATABASE_URL: db.url,
          WECHAT_API_BASE_URL: emulator.url,
          WECHAT_APP_ID: APP.appId,
          WECHAT_APP_SECRET: APP.appSecret,
          JWT_SECRET: randomBytes(32).toString('hex'),
          SESSION_KEY_SECRET: randomBytes(32).toString('hex'),
          PORT: String(port),
          FLOOR_LAYERS: layers,
        },
      });
      try {
        const { url } = floor;
        const { code, openid } = await mintLoginCode(emulator.url, { appId: APP.appId });
        const login = await send(`${url}/auth/wechat/login`, { body: { code } });
        expect(login.status).toBe(200);
        expect(login.body).toMatchObject({ tokenType: 'Bearer', user: { openid } });
        expect(login.body.refreshToken).toEqual(expect.any(String));

        const me = await send(`${url}/users/me`, { token: login.body.accessToken });
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ id: login.body.user.id, openid, loginCount: 1 });

        const [head, payload, signature] = login.body.accessToken.split('.');
        const flipped = signature[0] === 'A' ? 'B' : 'A';
        const forged = `${head}.${payload}.${flipped}${signature.slice(1)}`;
        expect((await send(`${url}/users/me`, { token: forged })).status).toBe(401);
        const spent = await send(`${url}/auth/wechat/login`, { body: { code } });
        expect(spent.status).toBe(401);
      } finally {
        await stopProcess(floor.child);
      }
    },
  );
});
