import { spawnService } from './support/process';

/** Runs the compiled service with `env` until it exits; its output, one entry per line. */
async function refusedStart(env: Record<string, string>): Promise<string[]> {
  const service = spawnService(env);
  expect(await service.exited).toBe(1);
  return service.output().trim().split('\n');
}

describe('a production start names every missing or invalid setting at once', () => {
  it('lists all five required settings, one line each, in one run', async () => {
    const lines = await refusedStart({ NODE_ENV: 'production' });
    expect(lines).toEqual([
      'Cannot start: DATABASE_URL is required in production',
      'Cannot start: WECHAT_APP_ID is required in production',
      'Cannot start: WECHAT_APP_SECRET is required in production',
      'Cannot start: JWT_SECRET is required in production',
      'Cannot start: SESSION_KEY_SECRET is required in production',
    ]);
  });

  it('lists malformed settings beside missing ones, never echoing a secret', async () => {
    const secret = 'Zq9-not-hex-but-secret-Zq9-0123';
    const lines = await refusedStart({
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://svc:pw@127.0.0.1:1/wxauth',
      WECHAT_APP_ID: 'wx0f1e2d3c4b5a6978',
      WECHAT_APP_SECRET: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      WECHAT_APPS: JSON.stringify([{ appId: 'wx1111222233334444', secret, type: 'website' }]),
      CONTENT_CHECK: 'sometimes',
      JWT_ACCESS_TTL: 'soon',
      PORT: 'http',
    });
    expect(lines.every((line) => line.startsWith('Cannot start: '))).toBe(true);
    expect(lines.map((line) => /^Cannot start: (\w+)/.exec(line)?.[1])).toEqual([
      'PORT',
      'WECHAT_APPS',
      'CONTENT_CHECK',
      'JWT_SECRET',
      'JWT_ACCESS_TTL',
      'SESSION_KEY_SECRET',
    ]);
    expect(lines.join('\n')).not.toContain(secret);
  });
});
