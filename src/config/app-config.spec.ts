import { randomBytes } from 'node:crypto';
import { ConfigError, loadAppConfig, parseByteSize, parseDuration } from './app-config';

const HEX_KEY = '00112233445566778899aabbccddeeff'.repeat(2);
const JWT_SECRET = 'Kx7#pQ2vLm9zR4tW8yB1nC6dF3gH5jS0aE';

/** A complete, valid production environment. */
const production = (): Record<string, string | undefined> => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://svc:pw@db.internal:3306/wxauth',
  WECHAT_APP_ID: 'wx0f1e2d3c4b5a6978',
  WECHAT_APP_SECRET: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  JWT_SECRET,
  SESSION_KEY_SECRET: HEX_KEY,
});

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadAppConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadAppConfig', () => {
  describe('defaults outside production', () => {
    it('falls back to development values and warns about each missing secret', () => {
      const config = loadAppConfig({});

      expect(config.nodeEnv).toBe('development');
      expect(config.port).toBe(3000);
      expect(config.host).toBe('0.0.0.0');
      expect(config.databaseUrl).toBe('mysql://root@127.0.0.1:3306/wxauth');
      expect(config.wechat.apiBaseUrl).toBe('https://api.weixin.qq.com');
      expect(config.wechat.timeoutMs).toBe(5000);
      expect(config.wechat.appId).toMatch(/^wx/);
      expect(config.wechat.appSecret).not.toBe('');
      expect(config.jwt.accessTtlSeconds).toBe(2 * 3600);
      expect(config.jwt.refreshTtlSeconds).toBe(30 * 86400);
      expect(config.jwt.secret!.type).toBe('secret');
      expect(config.jwt.secret!.symmetricKeySize).toBeGreaterThanOrEqual(32);
      expect(config.loginRateLimit).toEqual({ limit: 30, windowMs: 60_000 });
      expect(config.bodyLimitBytes).toBe(64 * 1024);
      expect(config.logLevel).toBe('info');
      expect(config.corsOrigins).toBe(false);
      expect(config.trustProxy('10.0.0.1', 0)).toBe(false);
      expect(config.sessionKeySecrets).toHaveLength(1);
      expect(config.sessionKeySecrets[0].key).toHaveLength(32);
      expect(config.sessionKeySecrets[0].kid).toMatch(/^[0-9a-f]{8}$/);
      for (const name of [
        'JWT_SECRET',
        'SESSION_KEY_SECRET',
        'WECHAT_APP_ID',
        'WECHAT_APP_SECRET',
      ]) {
        expect(config.warnings.some((w) => w.startsWith(`${name} `))).toBe(true);
      }
    });

    it('logs at info by default, in every environment (docs/api.md)', () => {
      expect(loadAppConfig({ NODE_ENV: 'test' }).logLevel).toBe('info');
      expect(loadAppConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    });

    it('derives the development session key from JWT_SECRET, so it stays stable across starts', () => {
      const a = loadAppConfig({ JWT_SECRET: 'x'.repeat(32) }).sessionKeySecrets[0];
      const b = loadAppConfig({ JWT_SECRET: 'x'.repeat(32) }).sessionKeySecrets[0];
      const c = loadAppConfig({ JWT_SECRET: 'y'.repeat(32) }).sessionKeySecrets[0];
      expect(a.key.equals(b.key)).toBe(true);
      expect(a.key.equals(c.key)).toBe(false);
    });

    it('uses the given values', () => {
      const config = loadAppConfig({
        NODE_ENV: 'test',
        PORT: '8080',
        HOST: '127.0.0.1',
        WECHAT_API_BASE_URL: 'http://127.0.0.1:9000///',
        WECHAT_TIMEOUT_MS: '300',
        LOGIN_RATE_LIMIT: '5',
        LOGIN_RATE_WINDOW: '2m',
        CORS_ORIGINS: 'https://a.example, https://b.example',
        JWT_SECRET: 'a-test-secret-of-at-least-32-characters',
      });
      expect(config.port).toBe(8080);
      expect(config.host).toBe('127.0.0.1');
      expect(config.wechat.apiBaseUrl).toBe('http://127.0.0.1:9000');
      expect(config.wechat.timeoutMs).toBe(300);
      expect(config.loginRateLimit).toEqual({ limit: 5, windowMs: 120_000 });
      expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
      expect(config.jwt.secret!.export().toString('utf8')).toBe(
        'a-test-secret-of-at-least-32-characters',
      );
    });
  });

  describe('production', () => {
    it('starts with a complete environment and no warnings', () => {
      const config = loadAppConfig(production());
      expect(config.nodeEnv).toBe('production');
      expect(config.warnings).toEqual([]);
      expect(config.logLevel).toBe('info');
      expect(config.databaseUrl).toBe('mysql://svc:pw@db.internal:3306/wxauth');
      expect(config.jwt.secret!.export().toString('utf8')).toBe(JWT_SECRET);
      expect(config.sessionKeySecrets[0].key.equals(Buffer.from(HEX_KEY, 'hex'))).toBe(true);
    });

    it.each([
      'DATABASE_URL',
      'WECHAT_APP_ID',
      'WECHAT_APP_SECRET',
      'JWT_SECRET',
      'SESSION_KEY_SECRET',
    ])('refuses to start without %s, naming it', (name) => {
      for (const missing of [undefined, '', '   ']) {
        const error = configError({ ...production(), [name]: missing });
        expect(error.message).toContain(name);
        expect(error.message).not.toContain('\n');
      }
    });

    it('refuses a JWT_SECRET shorter than 32 characters without echoing it', () => {
      const error = configError({ ...production(), JWT_SECRET: 'x'.repeat(31) });
      expect(error.message).toContain('JWT_SECRET');
      expect(error.message).not.toContain('x'.repeat(31));
      expect(
        loadAppConfig({ ...production(), JWT_SECRET: 'abcdefghijklmnopqrstuvwxyz012345' }).nodeEnv,
      ).toBe('production');
    });

    it('refuses the development JWT_SECRET', () => {
      const devSecret = loadAppConfig({}).jwt.secret!.export().toString('utf8');
      expect(configError({ ...production(), JWT_SECRET: devSecret }).message).toContain(
        'JWT_SECRET',
      );
    });
  });

  describe('SESSION_KEY_SECRET', () => {
    const key = randomBytes(32);

    it.each([
      ['64 hex characters', key.toString('hex')],
      ['64 upper-case hex characters', key.toString('hex').toUpperCase()],
      ['base64', key.toString('base64')],
      ['base64 without padding', key.toString('base64').replace(/=+$/, '')],
      ['base64url', key.toString('base64url')],
      ['with surrounding spaces', ` ${key.toString('hex')} `],
    ])('accepts %s', (_format, value) => {
      const config = loadAppConfig({ NODE_ENV: 'test', SESSION_KEY_SECRET: value });
      expect(config.sessionKeySecrets[0].key.equals(key)).toBe(true);
    });

    it.each([
      ['too short', 'abc'],
      ['63 hex characters', key.toString('hex').slice(1)],
      ['65 hex characters', `${key.toString('hex')}0`],
      ['16 bytes of base64', randomBytes(16).toString('base64')],
      ['48 bytes of base64', randomBytes(48).toString('base64')],
      ['not base64', `${'!'.repeat(43)}=`],
      ['a passphrase', 'correct horse battery staple, really quite long'],
    ])('refuses %s without echoing it', (_format, value) => {
      const error = configError({ NODE_ENV: 'test', SESSION_KEY_SECRET: value });
      expect(error.message).toContain('SESSION_KEY_SECRET');
      expect(error.message).not.toContain(value);
    });

    it('gives each key its own id and lists previous keys after the current one', () => {
      const previous = [randomBytes(32), randomBytes(32)];
      const config = loadAppConfig({
        NODE_ENV: 'test',
        SESSION_KEY_SECRET: key.toString('hex'),
        SESSION_KEY_PREVIOUS_SECRETS: ` ${previous[0].toString('base64')} , ${previous[1].toString('hex')},`,
      });
      expect(config.sessionKeySecrets.map((s) => s.key.toString('hex'))).toEqual(
        [key, ...previous].map((k) => k.toString('hex')),
      );
      expect(new Set(config.sessionKeySecrets.map((s) => s.kid)).size).toBe(3);
    });

    it('refuses a malformed previous key, naming SESSION_KEY_PREVIOUS_SECRETS', () => {
      const error = configError({
        NODE_ENV: 'test',
        SESSION_KEY_SECRET: key.toString('hex'),
        SESSION_KEY_PREVIOUS_SECRETS: 'nope',
      });
      expect(error.message).toContain('SESSION_KEY_PREVIOUS_SECRETS');
    });
  });

  describe('durations', () => {
    it.each([
      ['15m', 900],
      ['2h', 7200],
      ['30d', 2_592_000],
      ['7200', 7200],
      ['90s', 90],
      [' 45 m ', 2700],
    ])('reads JWT_ACCESS_TTL=%s as %i seconds', (raw, seconds) => {
      expect(loadAppConfig({ JWT_ACCESS_TTL: raw }).jwt.accessTtlSeconds).toBe(seconds);
      expect(loadAppConfig({ JWT_REFRESH_TTL: raw }).jwt.refreshTtlSeconds).toBe(seconds);
      expect(parseDuration('X', raw)).toBe(seconds);
    });

    it.each(['0', '0m', '-5', '1.5h', '2 weeks', 'h', '10y'])('refuses %j', (raw) => {
      expect(configError({ JWT_ACCESS_TTL: raw }).message).toContain('JWT_ACCESS_TTL');
      expect(configError({ JWT_REFRESH_TTL: raw }).message).toContain('JWT_REFRESH_TTL');
      expect(configError({ LOGIN_RATE_WINDOW: raw }).message).toContain('LOGIN_RATE_WINDOW');
    });
  });

  describe('BODY_LIMIT', () => {
    it.each([
      ['64kb', 65_536],
      ['1mb', 1_048_576],
      ['1MB', 1_048_576],
      ['65536', 65_536],
      ['100b', 100],
    ])('reads %s as %i bytes', (raw, bytes) => {
      expect(loadAppConfig({ BODY_LIMIT: raw }).bodyLimitBytes).toBe(bytes);
      expect(parseByteSize('X', raw)).toBe(bytes);
    });

    it.each(['0', '0kb', '1gb', 'lots', '-1kb', '1.5mb'])('refuses %j', (raw) => {
      expect(configError({ BODY_LIMIT: raw }).message).toContain('BODY_LIMIT');
    });
  });

  describe('METRICS_PORT', () => {
    it('is off when unset, else a port of its own', () => {
      expect(loadAppConfig({}).metricsPort).toBeUndefined();
      expect(loadAppConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
      expect(loadAppConfig({ PORT: '0', METRICS_PORT: '0' }).metricsPort).toBe(0);
    });

    it.each([
      [{ METRICS_PORT: '3000' }, 'METRICS_PORT must differ from PORT'],
      [{ PORT: '8080', METRICS_PORT: '8080' }, 'METRICS_PORT must differ from PORT'],
      [{ METRICS_PORT: '70000' }, 'METRICS_PORT must be between 0 and 65535'],
      [{ METRICS_PORT: 'metrics' }, 'METRICS_PORT must be a whole number'],
    ])('refuses %j', (env, message) => {
      expect(configError(env).message).toContain(message);
    });
  });

  describe('TRUST_PROXY', () => {
    it('trusts no proxy by default or when false', () => {
      for (const value of [undefined, 'false', 'FALSE']) {
        const trust = loadAppConfig({ TRUST_PROXY: value }).trustProxy;
        expect(trust('127.0.0.1', 0)).toBe(false);
        expect(trust('10.0.0.1', 1)).toBe(false);
      }
    });

    it('trusts every proxy when true', () => {
      const trust = loadAppConfig({ TRUST_PROXY: 'true' }).trustProxy;
      expect(trust('203.0.113.9', 0)).toBe(true);
      expect(trust('::1', 3)).toBe(true);
    });

    it('trusts exactly the listed addresses and CIDRs', () => {
      const trust = loadAppConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }).trustProxy;
      expect(trust('10.0.0.1', 0)).toBe(true);
      expect(trust('10.0.0.2', 0)).toBe(false);
      expect(trust('192.168.44.5', 0)).toBe(true);
      expect(trust('192.169.0.1', 0)).toBe(false);
      expect(trust('::1', 0)).toBe(true);
      expect(trust('203.0.113.9', 0)).toBe(false);
    });

    it.each(['10.0.0.0/33', '10.0.0.300', 'not-an-address', '10.0.0.1, bogus/8'])(
      'refuses %j, naming TRUST_PROXY',
      (value) => {
        expect(configError({ TRUST_PROXY: value }).message).toContain('TRUST_PROXY');
      },
    );
  });

  describe('other settings', () => {
    it('counts an empty variable as missing', () => {
      const config = loadAppConfig({
        NODE_ENV: '',
        PORT: '',
        HOST: ' ',
        WECHAT_API_BASE_URL: '',
        WECHAT_TIMEOUT_MS: '',
        BODY_LIMIT: '',
        TRUST_PROXY: '',
        LOG_LEVEL: '',
        CORS_ORIGINS: '',
        SESSION_KEY_PREVIOUS_SECRETS: '',
      });
      expect(config.nodeEnv).toBe('development');
      expect(config.port).toBe(3000);
      expect(config.host).toBe('0.0.0.0');
      expect(config.wechat.apiBaseUrl).toBe('https://api.weixin.qq.com');
      expect(config.wechat.timeoutMs).toBe(5000);
      expect(config.bodyLimitBytes).toBe(65_536);
      expect(config.logLevel).toBe('info');
      expect(config.corsOrigins).toBe(false);
      expect(config.sessionKeySecrets).toHaveLength(1);
    });

    it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])(
      'accepts LOG_LEVEL=%s',
      (level) => {
        expect(loadAppConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
      },
    );

    it.each([
      ['LOG_LEVEL', 'verbose'],
      ['NODE_ENV', 'staging'],
      ['PORT', '70000'],
      ['PORT', 'http'],
      ['WECHAT_TIMEOUT_MS', '0'],
      ['WECHAT_TIMEOUT_MS', '1.5'],
      ['LOGIN_RATE_LIMIT', '0'],
      ['WECHAT_API_BASE_URL', 'ftp://api.weixin.qq.com'],
      ['WECHAT_API_BASE_URL', 'api.weixin.qq.com'],
      ['DATABASE_URL', 'postgres://root@127.0.0.1/wxauth'],
      ['REDIS_URL', 'http://127.0.0.1:6379'],
      ['REDIS_URL', '127.0.0.1:6379'],
    ])('refuses %s=%j, naming it', (name, value) => {
      expect(configError({ [name]: value }).message).toContain(name);
    });

    it('takes REDIS_URL for shared login counts, absent by default, and never echoes it', () => {
      expect(loadAppConfig({}).redisUrl).toBeUndefined();
      expect(loadAppConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).redisUrl).toBe(
        'redis://127.0.0.1:6379/2',
      );
      expect(loadAppConfig({ REDIS_URL: 'rediss://:pw@cache.internal:6380' }).redisUrl).toBe(
        'rediss://:pw@cache.internal:6380',
      );
      expect(configError({ REDIS_URL: 'redis//:hunter2@cache' }).message).not.toContain('hunter2');
    });
  });
});

describe('secrets and lifetimes', () => {
  it('refuses a JWT_SECRET under 32 characters outside development, and allows it in development', () => {
    expect(() => loadAppConfig({ NODE_ENV: 'test', JWT_SECRET: 'short' })).toThrow(
      /JWT_SECRET.*32/,
    );
    expect(() => loadAppConfig({ NODE_ENV: 'development', JWT_SECRET: 'short' })).not.toThrow();
  });

  it.each(['500ms', '0', '0s'])(
    'refuses JWT_ACCESS_TTL=%s: tokens must live at least a second',
    (value) => {
      expect(() => loadAppConfig({ JWT_ACCESS_TTL: value })).toThrow(/JWT_ACCESS_TTL/);
      expect(() => loadAppConfig({ JWT_REFRESH_TTL: value })).toThrow(/JWT_REFRESH_TTL/);
    },
  );
});

describe('production refuses placeholders', () => {
  const valid = {
    NODE_ENV: 'production',
    DATABASE_URL: 'mysql://svc:pw@db.internal:3306/wxauth',
    WECHAT_APP_ID: 'wx0f1e2d3c4b5a6978',
    WECHAT_APP_SECRET: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    JWT_SECRET: 'Kx7#pQ2vLm9zR4tW8yB1nC6dF3gH5jS0aE',
    SESSION_KEY_SECRET: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  };
  it('accepts a real-looking production environment', () => {
    expect(loadAppConfig(valid).nodeEnv).toBe('production');
  });
  it.each([
    ['WECHAT_APP_ID', 'change-me'],
    ['WECHAT_APP_ID', 'wx1234567890abcdef'],
    ['WECHAT_APP_SECRET', '0123456789abcdef0123456789abcdef'],
    ['WECHAT_APP_SECRET', 'not-a-secret'],
    ['JWT_SECRET', 'change-me-change-me-change-me-change-me'],
    ['JWT_SECRET', 'x'.repeat(40)],
    ['SESSION_KEY_SECRET', '0'.repeat(64)],
  ])('%s=%s is refused, naming the setting', (name, value) => {
    expect(() => loadAppConfig({ ...valid, [name]: value })).toThrow(new RegExp(name));
  });
});

describe('every problem at once', () => {
  it('names each missing production setting on its own line, in one error', () => {
    const error = configError({ NODE_ENV: 'production' });
    expect(error.problems).toEqual([
      'DATABASE_URL is required in production',
      'WECHAT_APP_ID is required in production',
      'WECHAT_APP_SECRET is required in production',
      'JWT_SECRET is required in production',
      'SESSION_KEY_SECRET is required in production',
    ]);
    expect(error.message.split('\n')).toEqual(error.problems);
  });

  it('lists malformed settings beside missing ones, one line per setting', () => {
    const error = configError({
      NODE_ENV: 'production',
      PORT: 'http',
      JWT_ACCESS_TTL: 'soon',
      BODY_LIMIT: 'lots',
      WECHAT_APPS: '{',
      CONTENT_CHECK: 'maybe',
    });
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'WECHAT_APP_ID',
      'WECHAT_APP_SECRET',
      'WECHAT_APPS',
      'CONTENT_CHECK',
      'JWT_SECRET',
      'JWT_ACCESS_TTL',
      'SESSION_KEY_SECRET',
      'BODY_LIMIT',
    ]) {
      expect(error.problems.filter((line) => new RegExp(`^${name}\\b`).test(line))).toHaveLength(1);
    }
    expect(error.problems).toHaveLength(10);
  });

  it('stops at a bad NODE_ENV alone: every other rule depends on the mode', () => {
    expect(configError({ NODE_ENV: 'prod', PORT: 'http' }).problems).toEqual([
      'NODE_ENV must be development, test or production',
    ]);
  });
});

describe('CONTENT_CHECK', () => {
  it('is on by default in production and off otherwise', () => {
    expect(loadAppConfig(production()).wechat.contentCheck).toBe(true);
    expect(loadAppConfig({}).wechat.contentCheck).toBe(false);
    expect(loadAppConfig({ NODE_ENV: 'test' }).wechat.contentCheck).toBe(false);
  });

  it.each([
    ['on', true],
    ['off', false],
    [' ON ', true],
  ])('reads %j', (value, on) => {
    expect(loadAppConfig({ CONTENT_CHECK: value }).wechat.contentCheck).toBe(on);
    expect(loadAppConfig({ ...production(), CONTENT_CHECK: value }).wechat.contentCheck).toBe(on);
  });

  it.each(['true', '1', 'yes', 'of'])('refuses %j, naming CONTENT_CHECK', (value) => {
    expect(configError({ CONTENT_CHECK: value }).problems).toEqual([
      'CONTENT_CHECK must be on or off',
    ]);
  });
});

describe('DATABASE_CAUSAL_READS', () => {
  it('is off by default (only a Galera cluster has causal reads)', () => {
    expect(loadAppConfig(production()).databaseCausalReads).toBe(false);
  });

  it.each([
    ['on', true],
    [' OFF ', false],
  ])('reads %j', (value, on) => {
    expect(loadAppConfig({ DATABASE_CAUSAL_READS: value }).databaseCausalReads).toBe(on);
  });

  it('refuses anything else, naming DATABASE_CAUSAL_READS', () => {
    expect(configError({ DATABASE_CAUSAL_READS: 'true' }).problems).toEqual([
      'DATABASE_CAUSAL_READS must be on or off',
    ]);
  });
});

describe('the apps', () => {
  it('are the default mini-program alone without WECHAT_APPS', () => {
    expect(loadAppConfig(production()).wechat.apps).toEqual([
      {
        appId: 'wx0f1e2d3c4b5a6978',
        secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
        type: 'miniprogram',
        name: 'default',
      },
    ]);
  });

  it('follow the default app with WECHAT_APPS in order', () => {
    const extra = [
      { appId: 'wx00000000000000a1', secret: 'a'.repeat(32), type: 'official_account' },
      { appId: 'wx00000000000000b2', secret: 'b'.repeat(32), type: 'website', name: 'PC' },
    ];
    const { wechat } = loadAppConfig({ ...production(), WECHAT_APPS: JSON.stringify(extra) });
    expect(wechat.apps.map((app) => app.appId)).toEqual([
      wechat.appId,
      'wx00000000000000a1',
      'wx00000000000000b2',
    ]);
    expect(wechat.apps.slice(1)).toEqual(extra);
  });

  it('refuse an extra app with the id of WECHAT_APP_ID', () => {
    const WECHAT_APPS = JSON.stringify([
      { appId: 'wx0f1e2d3c4b5a6978', secret: 'c'.repeat(32), type: 'website' },
    ]);
    const [line] = configError({ ...production(), WECHAT_APPS }).problems;
    expect(line).toMatch(/^WECHAT_APPS\[0\] .*wx0f1e2d3c4b5a6978.*WECHAT_APP_ID/);
    expect(line).not.toContain('c'.repeat(32));
  });
});
