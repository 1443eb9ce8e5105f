import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { call } from './support/http';
import { waitForOk } from './support/process';
import { newKeyPair, signToken } from './support/signing-keys';
import { createTestDatabase, TestDatabase } from './support/database';
import { mintLoginCode } from './support/wechat';
import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';

const EXAMPLE_MAIN = join(
  __dirname,
  '..',
  'dist',
  'examples',
  'business-service',
  'src',
  'main.js',
);
const INTROSPECTION_TOKEN = 'business-service-e2e-introspection-0123456789';
const first = newKeyPair('ES256');
const second = newKeyPair('ES256');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The login service and two copies of examples/business-service (compiled: `npm run build`
 * first), one verifying through the JWKS alone, one also introspecting. The login service keeps
 * its port across restarts, as a deployment keeps its URL across a key rotation.
 */
let db: TestDatabase;
let emulator: RunningEmulator;
let auth: NestFastifyApplication;
let authPort: number;
const authUrl = () => `http://127.0.0.1:${authPort}`;
const examples: Array<{ child: ChildProcess; url: string; output: () => string }> = [];

async function startAuth(jwt: Record<string, string>): Promise<void> {
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    WECHAT_API_BASE_URL: emulator.url,
    LOGIN_RATE_LIMIT: '100000',
    INTROSPECTION_TOKEN,
    ...jwt,
  });
  auth = (await createApp(config)).app;
  await auth.listen({ port: authPort, host: '127.0.0.1' });
}

async function startExample(env: Record<string, string>) {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [EXAMPLE_MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      AUTH_SERVICE_URL: authUrl(),
      JWKS_COOLDOWN_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const example = { child, url: `http://127.0.0.1:${port}`, output: () => output };
  examples.push(example);
  try {
    await waitForOk(`${example.url}/health`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }
  return example;
}

let plain: { url: string };
let introspecting: { url: string };

beforeAll(async () => {
  if (!existsSync(EXAMPLE_MAIN))
    throw new Error(`${EXAMPLE_MAIN} is missing: run \`npm run build\` first`);
  db = await createTestDatabase();
  emulator = await startWechatEmulator({ port: 0 });
  authPort = await freePort();
  await startAuth({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: first.privatePem });
  plain = await startExample({});
  introspecting = await startExample({ INTROSPECTION_TOKEN });
});

afterAll(async () => {
  for (const { child } of examples) child.kill('SIGTERM');
  await auth?.close();
  await emulator?.close();
  await db?.drop();
});

async function login() {
  const { code } = await mintLoginCode(emulator.url);
  const result = await call(`${authUrl()}/auth/wechat/login`, { body: { code } });
  expect(result.status).toBe(200);
  return result.body as { accessToken: string; user: { id: number } };
}
const orders = (service: { url: string }, token: string) =>
  call(`${service.url}/orders`, { token });

describe('examples/business-service', () => {
  it("serves the caller's orders for a token from login, in both variants", async () => {
    const session = await login();
    for (const service of [plain, introspecting]) {
      const result = await orders(service, session.accessToken);
      expect(result.status).toBe(200);
      expect(result.body.accountId).toBe(String(session.user.id));
    }
  });

  it('refuses no token, a forged token and one of an unknown key', async () => {
    const session = await login();
    const [header, payload] = session.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const attacker = newKeyPair('ES256');
    const forged = [
      signToken({ alg: 'ES256', typ: 'JWT', kid: first.kid }, claims, attacker.privateKey),
      signToken({ alg: 'ES256', typ: 'JWT', kid: attacker.kid }, claims, attacker.privateKey),
      `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: `${claims.sub}0` })).toString('base64url')}.${session.accessToken.split('.')[2]}`,
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
    ];
    for (const service of [plain, introspecting]) {
      expect((await call(`${service.url}/orders`)).status).toBe(401);
      for (const token of forged) expect((await orders(service, token)).status).toBe(401);
    }
  });

  it('after a key rotation, tokens of the old and the new key both work', async () => {
    const old = await login();
    // Both examples have the first key cached by now.
    expect((await orders(plain, old.accessToken)).status).toBe(200);
    await auth.close();
    await startAuth({
      JWT_ALGORITHM: 'ES256',
      JWT_PRIVATE_KEY: second.privatePem,
      JWT_PREVIOUS_PUBLIC_KEYS: first.publicPem,
    });
    const fresh = await login();
    for (const service of [plain, introspecting]) {
      expect((await orders(service, fresh.accessToken)).status).toBe(200);
      expect((await orders(service, old.accessToken)).status).toBe(200);
    }
  });

  it('after logout the introspecting variant refuses the token; the JWKS-only one cannot know', async () => {
    const session = await login();
    expect((await orders(introspecting, session.accessToken)).status).toBe(200);
    const logout = await call(`${authUrl()}/auth/logout`, {
      method: 'POST',
      token: session.accessToken,
    });
    expect(logout.status).toBe(204);
    expect((await orders(introspecting, session.accessToken)).status).toBe(401);
    // The documented trade-off: a local check trusts the token until it expires.
    expect((await orders(plain, session.accessToken)).status).toBe(200);
  });
});
