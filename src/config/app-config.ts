import { createHash, createSecretKey, KeyObject } from 'node:crypto';
import { compile as compileTrust } from 'proxy-addr';
import type { WechatApp } from './wechat-apps';

export type NodeEnv = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A setting that is missing or malformed; main.ts prints its message as one line and exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The whole, validated configuration. Loaded once at start by {@link loadAppConfig} and
 * injected by class token, so every consumer gets typed values instead of strings.
 */
export class AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  databaseUrl: string;
  wechat: {
    appId: string;
    appSecret: string;
    apiBaseUrl: string;
    timeoutMs: number;
    /** Every app served; the default mini-program (WECHAT_APP_ID) first. */
    apps: WechatApp[];
    /** Whether new nicknames go through WeChat's content check (CONTENT_CHECK). */
    contentCheck: boolean;
  };
  jwt: { secret: KeyObject; accessTtlSeconds: number; refreshTtlSeconds: number };
  /** Keys for session keys at rest; the first encrypts, all decrypt (rotation). */
  sessionKeySecrets: Array<{ kid: string; key: Buffer }>;
  /** Decides whether an address is a proxy we believe (Express's `trust proxy` semantics). */
  trustProxy: (address: string, hop: number) => boolean;
  loginRateLimit: { limit: number; windowMs: number };
  /** Where instances share their login counts; undefined: each instance counts alone. */
  redisUrl: string | undefined;
  bodyLimitBytes: number;
  logLevel: LogLevel;
  corsOrigins: string[] | false;
  /** Settings that fell back to development defaults, for one start-up warning each. */
  warnings: string[];
}

const DEV_DATABASE_URL = 'mysql://root@127.0.0.1:3306/wxauth';
const DEV_APP_ID = 'wx1234567890abcdef';
const DEV_APP_SECRET = '0123456789abcdef0123456789abcdef';
const DEV_JWT_SECRET = 'development-only-jwt-secret-change-me-0123456789';
/** Values copied from an example file rather than generated. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|placeholder|example|secret-here/i;
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses `7200`, `90s`, `15m`, `2h`, `30d` into whole seconds (at least one). */
export function parseDuration(name: string, raw: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(`${name} must be a duration like 7200, 60s, 15m, 2h or 30d`);
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * factor;
  if (seconds < 1) throw new ConfigError(`${name} must be at least one second`);
  return seconds;
}

/** Parses `64kb`, `1mb`, `65536` into bytes. */
export function parseByteSize(name: string, raw: string): number {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw.trim());
  if (!match) throw new ConfigError(`${name} must be a size like 65536, 64kb or 1mb`);
  const factor = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b'];
  const bytes = Number(match[1]) * factor;
  if (bytes < 1) throw new ConfigError(`${name} must be greater than zero`);
  return bytes;
}

function parseInteger(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return value;
}

function isRedisUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function parseTrustProxy(raw: string): AppConfig['trustProxy'] {
  const value = raw.trim().toLowerCase();
  if (value === 'false') return () => false;
  if (value === 'true') return () => true;
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    return compileTrust(entries);
  } catch {
    throw new ConfigError(
      'TRUST_PROXY must be false, true, or a comma-separated list of addresses/CIDRs',
    );
  }
}

/** A 32-byte key given as 64 hex characters or as base64. */
function parseSessionKeySecret(name: string, raw: string): Buffer {
  const value = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, 'hex')
    : Buffer.from(value, 'base64');
  const isBase64 = /^[A-Za-z0-9+/]{43}=?$/.test(value) || /^[A-Za-z0-9_-]{43}$/.test(value);
  if (key.length !== 32 || (!isBase64 && !/^[0-9a-fA-F]{64}$/.test(value))) {
    throw new ConfigError(`${name} must be a 32-byte key as 64 hex characters or base64`);
  }
  return key;
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** DATABASE_URL alone, for tools that need only the database (the migration CLI). */
export function loadDatabaseUrl(env: Record<string, string | undefined>): string {
  const value = env.DATABASE_URL?.trim() ? env.DATABASE_URL : undefined;
  const databaseUrl = value ?? (env.NODE_ENV === 'production' ? undefined : DEV_DATABASE_URL);
  if (databaseUrl === undefined) throw new ConfigError('DATABASE_URL is required in production');
  if (!/^(mysql|mariadb):\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a mysql:// or mariadb:// URL');
  }
  return databaseUrl;
}

/**
 * Validates the environment and builds the configuration. Empty variables count as missing.
 * Outside production, missing secrets fall back to development values with a warning; in
 * production they are errors, so the service never starts half-configured.
 */
export function loadAppConfig(env: Record<string, string | undefined>): AppConfig {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const nodeEnvRaw = get('NODE_ENV') ?? 'development';
  if (!['development', 'test', 'production'].includes(nodeEnvRaw)) {
    throw new ConfigError('NODE_ENV must be development, test or production');
  }
  const nodeEnv = nodeEnvRaw as NodeEnv;
  const production = nodeEnv === 'production';
  const warnings: string[] = [];
  const required = (name: string, devDefault: string): string => {
    const value = get(name);
    if (value !== undefined) return value;
    if (production) throw new ConfigError(`${name} is required in production`);
    warnings.push(`${name} is not set; using a development default`);
    return devDefault;
  };

  const jwtSecret = required('JWT_SECRET', DEV_JWT_SECRET);
  if (nodeEnv !== 'development' && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters outside development');
  }
  if (production && (PLACEHOLDER.test(jwtSecret) || new Set(jwtSecret).size < 10)) {
    throw new ConfigError(
      'JWT_SECRET looks like a placeholder; use a random secret (e.g. openssl rand -base64 48)',
    );
  }
  if (production && jwtSecret === DEV_JWT_SECRET) {
    throw new ConfigError('JWT_SECRET is the development default; set a real secret in production');
  }

  const sessionKeyRaw = get('SESSION_KEY_SECRET');
  let currentSessionKey: Buffer;
  if (sessionKeyRaw !== undefined) {
    currentSessionKey = parseSessionKeySecret('SESSION_KEY_SECRET', sessionKeyRaw);
    if (production && new Set(currentSessionKey).size < 8) {
      throw new ConfigError(
        'SESSION_KEY_SECRET looks like a placeholder; use 32 random bytes (openssl rand -hex 32)',
      );
    }
  } else if (production) {
    throw new ConfigError('SESSION_KEY_SECRET is required in production');
  } else {
    warnings.push('SESSION_KEY_SECRET is not set; deriving a development key from JWT_SECRET');
    currentSessionKey = createHash('sha256').update(`session-key:${jwtSecret}`).digest();
  }
  const previousSessionKeys = (get('SESSION_KEY_PREVIOUS_SECRETS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseSessionKeySecret('SESSION_KEY_PREVIOUS_SECRETS', s));

  const appId = required('WECHAT_APP_ID', DEV_APP_ID);
  const appSecret = required('WECHAT_APP_SECRET', DEV_APP_SECRET);
  if (production && (!/^wx[0-9a-f]{16}$/i.test(appId) || appId === DEV_APP_ID)) {
    throw new ConfigError(
      'WECHAT_APP_ID must be your mini-program AppID (wx + 16 hex characters) in production',
    );
  }
  if (production && (!/^[0-9a-f]{32}$/i.test(appSecret) || appSecret === DEV_APP_SECRET)) {
    throw new ConfigError(
      'WECHAT_APP_SECRET must be your mini-program AppSecret (32 hex characters) in production',
    );
  }
  const apiBaseUrl = (get('WECHAT_API_BASE_URL') ?? 'https://api.weixin.qq.com').replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\/[^\s/]+/.test(apiBaseUrl)) {
    throw new ConfigError('WECHAT_API_BASE_URL must be an http(s) URL');
  }
  const databaseUrl = loadDatabaseUrl(env);
  const logLevel = (get('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const cors = get('CORS_ORIGINS');
  const redisUrl = get('REDIS_URL');
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    // Not echoed: the URL may hold a password.
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }

  return Object.assign(new AppConfig(), {
    nodeEnv,
    port: parseInteger('PORT', get('PORT') ?? '3000', 0, 65535),
    host: get('HOST') ?? '0.0.0.0',
    databaseUrl,
    wechat: {
      appId,
      appSecret,
      apiBaseUrl,
      timeoutMs: parseInteger('WECHAT_TIMEOUT_MS', get('WECHAT_TIMEOUT_MS') ?? '5000', 1, 600000),
      apps: [{ appId, secret: appSecret, type: 'miniprogram' }],
      contentCheck: false,
    },
    jwt: {
      // A KeyObject rather than a string: jsonwebtoken tries to parse a string secret as a
      // PEM key first, which costs ~400 µs per sign or verify on Node 20.
      secret: createSecretKey(Buffer.from(jwtSecret, 'utf8')),
      accessTtlSeconds: parseDuration('JWT_ACCESS_TTL', get('JWT_ACCESS_TTL') ?? '2h'),
      refreshTtlSeconds: parseDuration('JWT_REFRESH_TTL', get('JWT_REFRESH_TTL') ?? '30d'),
    },
    sessionKeySecrets: [currentSessionKey, ...previousSessionKeys].map((key) => ({
      kid: keyId(key),
      key,
    })),
    trustProxy: parseTrustProxy(get('TRUST_PROXY') ?? 'false'),
    loginRateLimit: {
      limit: parseInteger('LOGIN_RATE_LIMIT', get('LOGIN_RATE_LIMIT') ?? '30', 1, 1_000_000_000),
      windowMs: parseDuration('LOGIN_RATE_WINDOW', get('LOGIN_RATE_WINDOW') ?? '60s') * 1000,
    },
    redisUrl,
    bodyLimitBytes: parseByteSize('BODY_LIMIT', get('BODY_LIMIT') ?? '64kb'),
    logLevel,
    corsOrigins: cors === undefined ? false : cors.split(',').map((s) => s.trim()),
    warnings,
  });
}
