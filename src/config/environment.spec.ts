import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './app-config';
import { loadConfigFromEnvironment, loadEnvironment } from './environment';

describe('settings read from .env under the process environment', () => {
  const startDir = process.cwd();
  const names = ['WXAUTH_SPEC_FROM_FILE', 'WXAUTH_SPEC_BOTH', 'NODE_ENV', 'JWT_ACCESS_TTL'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wxauth-env-'));
    process.chdir(dir);
  });

  afterEach(() => {
    process.chdir(startDir);
    rmSync(dir, { recursive: true, force: true });
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('reads .env in the working directory, and a real variable wins over it', async () => {
    writeFileSync('.env', 'WXAUTH_SPEC_FROM_FILE=file\nWXAUTH_SPEC_BOTH=file\n');
    process.env.WXAUTH_SPEC_BOTH = 'process';
    const environment = await loadEnvironment();
    expect(environment.WXAUTH_SPEC_FROM_FILE).toBe('file');
    expect(environment.WXAUTH_SPEC_BOTH).toBe('process');
  });

  it('counts an empty variable as missing: the value in .env then applies', async () => {
    writeFileSync('.env', 'WXAUTH_SPEC_BOTH=file\n');
    process.env.WXAUTH_SPEC_BOTH = '';
    expect((await loadEnvironment()).WXAUTH_SPEC_BOTH).toBe('file');
  });

  it('validates once into the typed configuration', async () => {
    writeFileSync('.env', 'NODE_ENV=test\nJWT_ACCESS_TTL=15m\n');
    delete process.env.NODE_ENV;
    delete process.env.JWT_ACCESS_TTL;
    const config = await loadConfigFromEnvironment();
    expect(config.nodeEnv).toBe('test');
    expect(config.jwt.accessTtlSeconds).toBe(900);
  });

  it('rejects a malformed setting with a ConfigError naming it', async () => {
    process.env.NODE_ENV = 'test';
    process.env.JWT_ACCESS_TTL = 'soon';
    await expect(loadConfigFromEnvironment()).rejects.toThrow(ConfigError);
    await expect(loadConfigFromEnvironment()).rejects.toThrow(/JWT_ACCESS_TTL/);
  });
});
