import { createHash, createSecretKey, KeyObject } from 'node:crypto';
import { ConfigError } from './config-error';
import {
  AsymmetricAlgorithm,
  JWT_ALGORITHMS,
  JwtAlgorithm,
  parsePrivateKey,
  parsePublicKeys,
  SigningKey,
  VerificationKey,
} from './jwt-keys';
import {
  isRedisUrl,
  keyId,
  parseByteSize,
  parseDuration,
  parseInteger,
  parseSessionKeySecret,
  parseTrustProxy,
} from './setting-formats';
import { APP_ID_FORMAT, APP_SECRET_FORMAT, parseWechatApps, WechatApp } from './wechat-apps';

export { ConfigError } from './config-error';
export { parseByteSize, parseDuration } from './setting-formats';

export type NodeEnv = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The whole, validated configuration. Loaded once at start by {@link loadAppConfig} and
 * injected by class token, so every consumer gets typed values instead of strings.
 */
export class AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  databaseUrl: string;
  /** DATABASE_CAUSAL_READS: every read waits for what the cluster committed before it (Galera). */
  databaseCausalReads: boolean;
  wechat: {
    appId: string;
    appSecret: string;
    apiBaseUrl: string;
    timeoutMs: number;
    /** The default mini-program (WECHAT_APP_ID) first, then WECHAT_APPS in order. */
    apps: WechatApp[];
    /** CONTENT_CHECK: new nicknames from mini-program sessions go through msg_sec_check. */
    contentCheck: boolean;
  };
  jwt: {
    algorithm: JwtAlgorithm;
    /** The HMAC key (HS256); undefined under ES256/EdDSA when JWT_SECRET is not set. */
    secret: KeyObject | undefined;
    /** ES256/EdDSA: the key that signs (JWT_PRIVATE_KEY). */
    signingKey: SigningKey | undefined;
    /** ES256/EdDSA: every key that verifies and is published, the signing key's first. */
    verificationKeys: VerificationKey[];
    issuer: string | undefined;
    audience: string | undefined;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  /** INTROSPECTION_TOKEN, as its SHA-256 (compared in constant time); undefined: no route. */
  introspectionTokenSha256: Buffer | undefined;
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
  /** METRICS_PORT: where /metrics is served (0: any free port); undefined: no metrics at all. */
  metricsPort: number | undefined;
  /** Settings that fell back to development defaults, for one start-up warning each. */
  warnings: string[];
}

type Environment = Record<string, string | undefined>;

/** What each setting's parse function sees. */
interface Settings {
  /** The variable's value; an empty or blank one counts as missing. */
  get(name: string): string | undefined;
  nodeEnv: NodeEnv;
  production: boolean;
  /** Where fallbacks to development defaults are noted. */
  warnings: string[];
}

const DEV_DATABASE_URL = 'mysql://root@127.0.0.1:3306/wxauth';
const DEV_APP_ID = 'wx1234567890abcdef';
const DEV_APP_SECRET = '0123456789abcdef0123456789abcdef';
const DEV_JWT_SECRET = 'development-only-jwt-secret-change-me-0123456789';
/** Values copied from an example file rather than generated. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|placeholder|example|secret-here/i;
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A required secret: its value; outside production a development default, with a warning. */
function required(settings: Settings, name: string, devDefault: string): string {
  const value = settings.get(name);
  if (value !== undefined) return value;
  if (settings.production) throw new ConfigError(`${name} is required in production`);
  settings.warnings.push(`${name} is not set; using a development default`);
  return devDefault;
}

function parseNodeEnv(raw: string | undefined): NodeEnv {
  const value = raw ?? 'development';
  if (!['development', 'test', 'production'].includes(value)) {
    throw new ConfigError('NODE_ENV must be development, test or production');
  }
  return value as NodeEnv;
}

/** DATABASE_URL alone, for tools that need only the database (the migration CLI). */
export function loadDatabaseUrl(env: Environment): string {
  const value = env.DATABASE_URL?.trim() ? env.DATABASE_URL : undefined;
  const databaseUrl = value ?? (env.NODE_ENV === 'production' ? undefined : DEV_DATABASE_URL);
  if (databaseUrl === undefined) throw new ConfigError('DATABASE_URL is required in production');
  if (!/^(mysql|mariadb):\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a mysql:// or mariadb:// URL');
  }
  return databaseUrl;
}

function wechatAppId(settings: Settings): string {
  const appId = required(settings, 'WECHAT_APP_ID', DEV_APP_ID);
  if (settings.production && (!APP_ID_FORMAT.test(appId) || appId === DEV_APP_ID)) {
    throw new ConfigError(
      'WECHAT_APP_ID must be your mini-program AppID (wx + 16 hex characters) in production',
    );
  }
  return appId;
}

function wechatAppSecret(settings: Settings): string {
  const appSecret = required(settings, 'WECHAT_APP_SECRET', DEV_APP_SECRET);
  if (settings.production && (!APP_SECRET_FORMAT.test(appSecret) || appSecret === DEV_APP_SECRET)) {
    throw new ConfigError(
      'WECHAT_APP_SECRET must be your mini-program AppSecret (32 hex characters) in production',
    );
  }
  return appSecret;
}

function wechatApiBaseUrl(settings: Settings): string {
  const url = (settings.get('WECHAT_API_BASE_URL') ?? 'https://api.weixin.qq.com').replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new ConfigError('WECHAT_API_BASE_URL must be an http(s) URL');
  }
  return url;
}

/** WECHAT_APPS after the default app; WECHAT_APP_ID's own problems are reported under its name. */
function wechatApps(settings: Settings): WechatApp[] {
  const defaultApp: WechatApp = {
    appId: settings.get('WECHAT_APP_ID') ?? DEV_APP_ID,
    secret: settings.get('WECHAT_APP_SECRET') ?? DEV_APP_SECRET,
    type: 'miniprogram',
    name: 'default',
  };
  return parseWechatApps(settings.get('WECHAT_APPS'), defaultApp, settings.production);
}

/**
 * DATABASE_CAUSAL_READS=on|off, off by default: on a MariaDB Galera cluster, a read on one node
 * then sees every commit made on any node before it started (wsrep_sync_wait), so a logout on
 * one instance is refused on every other at once. Only Galera has the variable (docs/scaling.md).
 */
function databaseCausalReads(settings: Settings): boolean {
  const raw = settings.get('DATABASE_CAUSAL_READS')?.trim().toLowerCase() ?? 'off';
  if (raw !== 'on' && raw !== 'off')
    throw new ConfigError('DATABASE_CAUSAL_READS must be on or off');
  return raw === 'on';
}

/** CONTENT_CHECK=on|off (docs/api.md, Part 2): on by default in production only. */
function contentCheck(settings: Settings): boolean {
  const raw = settings.get('CONTENT_CHECK')?.trim().toLowerCase();
  if (raw === undefined) return settings.production;
  if (raw !== 'on' && raw !== 'off') throw new ConfigError('CONTENT_CHECK must be on or off');
  return raw === 'on';
}

function jwtAlgorithm(settings: Settings): JwtAlgorithm {
  const value = settings.get('JWT_ALGORITHM')?.trim() ?? 'HS256';
  if (!JWT_ALGORITHMS.includes(value as JwtAlgorithm)) {
    throw new ConfigError(`JWT_ALGORITHM must be ${JWT_ALGORITHMS.join(', ')}`);
  }
  return value as JwtAlgorithm;
}

/** The asymmetric algorithm, for the settings that depend on it; its own errors are JWT_ALGORITHM's. */
function asymmetricAlgorithm(settings: Settings): AsymmetricAlgorithm | undefined | 'invalid' {
  try {
    const algorithm = jwtAlgorithm(settings);
    return algorithm === 'HS256' ? undefined : algorithm;
  } catch {
    return 'invalid';
  }
}

function jwtPrivateKey(settings: Settings): SigningKey | undefined {
  const raw = settings.get('JWT_PRIVATE_KEY');
  const algorithm = asymmetricAlgorithm(settings);
  if (algorithm === 'invalid') return undefined;
  if (algorithm === undefined) {
    if (raw !== undefined) {
      throw new ConfigError(
        'JWT_PRIVATE_KEY is set but JWT_ALGORITHM is HS256; set ES256 or EdDSA',
      );
    }
    return undefined;
  }
  if (raw === undefined) {
    throw new ConfigError(`JWT_PRIVATE_KEY is required when JWT_ALGORITHM is ${algorithm}`);
  }
  return parsePrivateKey('JWT_PRIVATE_KEY', raw, algorithm);
}

function jwtPreviousPublicKeys(settings: Settings): VerificationKey[] {
  const raw = settings.get('JWT_PREVIOUS_PUBLIC_KEYS');
  const algorithm = asymmetricAlgorithm(settings);
  if (raw === undefined || algorithm === 'invalid') return [];
  if (algorithm === undefined) {
    throw new ConfigError(
      'JWT_PREVIOUS_PUBLIC_KEYS is set but JWT_ALGORITHM is HS256; set ES256 or EdDSA',
    );
  }
  return parsePublicKeys('JWT_PREVIOUS_PUBLIC_KEYS', raw, algorithm);
}

const isControl = (char: string) => char < ' ' || char === '\u007f';

/** JWT_ISSUER / JWT_AUDIENCE: compared exactly, so no surrounding blanks or control characters. */
function jwtClaimValue(settings: Settings, name: string): string | undefined {
  const value = settings.get(name);
  if (
    value !== undefined &&
    (value !== value.trim() || value.length > 256 || [...value].some(isControl))
  ) {
    throw new ConfigError(
      `${name} must be 1-256 characters without control characters or surrounding spaces`,
    );
  }
  return value;
}

function introspectionToken(settings: Settings): Buffer | undefined {
  const token = settings.get('INTROSPECTION_TOKEN');
  if (token === undefined) return undefined;
  if (token.length < 32)
    throw new ConfigError('INTROSPECTION_TOKEN must be at least 32 characters');
  if (settings.production && (PLACEHOLDER.test(token) || new Set(token).size < 10)) {
    throw new ConfigError(
      'INTROSPECTION_TOKEN looks like a placeholder; use a random value (e.g. openssl rand -base64 48)',
    );
  }
  return createHash('sha256').update(token, 'utf8').digest();
}

function jwtSecret(settings: Settings): KeyObject | undefined {
  // ES256/EdDSA sign with JWT_PRIVATE_KEY; JWT_SECRET is then not needed.
  if (settings.get('JWT_SECRET') === undefined && asymmetricAlgorithm(settings) !== undefined) {
    return undefined;
  }
  const secret = required(settings, 'JWT_SECRET', DEV_JWT_SECRET);
  if (settings.nodeEnv !== 'development' && secret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters outside development');
  }
  if (settings.production && (PLACEHOLDER.test(secret) || new Set(secret).size < 10)) {
    throw new ConfigError(
      'JWT_SECRET looks like a placeholder; use a random secret (e.g. openssl rand -base64 48)',
    );
  }
  if (settings.production && secret === DEV_JWT_SECRET) {
    throw new ConfigError('JWT_SECRET is the development default; set a real secret in production');
  }
  // A KeyObject rather than a string: jsonwebtoken tries to parse a string secret as a
  // PEM key first, which costs ~400 µs per sign or verify on Node 20.
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

function currentSessionKey(settings: Settings): Buffer {
  const raw = settings.get('SESSION_KEY_SECRET');
  if (raw !== undefined) {
    const key = parseSessionKeySecret('SESSION_KEY_SECRET', raw);
    if (settings.production && new Set(key).size < 8) {
      throw new ConfigError(
        'SESSION_KEY_SECRET looks like a placeholder; use 32 random bytes (openssl rand -hex 32)',
      );
    }
    return key;
  }
  if (settings.production) throw new ConfigError('SESSION_KEY_SECRET is required in production');
  settings.warnings.push(
    'SESSION_KEY_SECRET is not set; deriving a development key from JWT_SECRET',
  );
  const jwt = settings.get('JWT_SECRET') ?? DEV_JWT_SECRET;
  return createHash('sha256').update(`session-key:${jwt}`).digest();
}

function previousSessionKeys(settings: Settings): Buffer[] {
  return (settings.get('SESSION_KEY_PREVIOUS_SECRETS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseSessionKeySecret('SESSION_KEY_PREVIOUS_SECRETS', s));
}

function logLevel(settings: Settings): LogLevel {
  const level = (settings.get('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

function redisUrl(settings: Settings): string | undefined {
  const url = settings.get('REDIS_URL');
  // Not echoed: the URL may hold a password.
  if (url !== undefined && !isRedisUrl(url)) {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  return url;
}

/**
 * METRICS_PORT: a listener of its own, so the public port never serves /metrics (which tells
 * anyone the traffic, error codes and app ids). Off when unset.
 */
function metricsPort(settings: Settings): number | undefined {
  const raw = settings.get('METRICS_PORT');
  if (raw === undefined) return undefined;
  const port = parseInteger('METRICS_PORT', raw, 0, 65535);
  const publicPort = settings.get('PORT') ?? '3000';
  if (port !== 0 && /^\d+$/.test(publicPort.trim()) && Number(publicPort) === port) {
    throw new ConfigError('METRICS_PORT must differ from PORT: metrics are never served publicly');
  }
  return port;
}

type Parsed<T extends Record<string, () => unknown>> = { [K in keyof T]: ReturnType<T[K]> };

/** Runs every parse function; all their problems together make one ConfigError. */
function collect<T extends Record<string, () => unknown>>(parsers: T): Parsed<T> {
  const problems: string[] = [];
  const values: Partial<Record<keyof T, unknown>> = {};
  for (const key of Object.keys(parsers) as Array<keyof T>) {
    try {
      values[key] = parsers[key]();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Parsed<T>;
}

/**
 * Validates the environment and builds the configuration. Empty variables count as missing.
 * Outside production, missing secrets fall back to development values with a warning; in
 * production they are errors, so the service never starts half-configured. Every problem is
 * reported, one line each; only a bad NODE_ENV stops the check at once, since every other
 * rule depends on the mode.
 */
export function loadAppConfig(env: Environment): AppConfig {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const nodeEnv = parseNodeEnv(get('NODE_ENV'));
  const warnings: string[] = [];
  const settings: Settings = { get, nodeEnv, production: nodeEnv === 'production', warnings };
  const or = (name: string, fallback: string) => get(name) ?? fallback;

  const parsed = collect({
    port: () => parseInteger('PORT', or('PORT', '3000'), 0, 65535),
    databaseUrl: () => loadDatabaseUrl(env),
    databaseCausalReads: () => databaseCausalReads(settings),
    appId: () => wechatAppId(settings),
    appSecret: () => wechatAppSecret(settings),
    apiBaseUrl: () => wechatApiBaseUrl(settings),
    timeoutMs: () => parseInteger('WECHAT_TIMEOUT_MS', or('WECHAT_TIMEOUT_MS', '5000'), 1, 600000),
    apps: () => wechatApps(settings),
    contentCheck: () => contentCheck(settings),
    jwtAlgorithm: () => jwtAlgorithm(settings),
    jwtSecret: () => jwtSecret(settings),
    jwtPrivateKey: () => jwtPrivateKey(settings),
    jwtPreviousPublicKeys: () => jwtPreviousPublicKeys(settings),
    jwtIssuer: () => jwtClaimValue(settings, 'JWT_ISSUER'),
    jwtAudience: () => jwtClaimValue(settings, 'JWT_AUDIENCE'),
    introspectionToken: () => introspectionToken(settings),
    accessTtl: () => parseDuration('JWT_ACCESS_TTL', or('JWT_ACCESS_TTL', '2h')),
    refreshTtl: () => parseDuration('JWT_REFRESH_TTL', or('JWT_REFRESH_TTL', '30d')),
    sessionKey: () => currentSessionKey(settings),
    previousSessionKeys: () => previousSessionKeys(settings),
    trustProxy: () => parseTrustProxy(or('TRUST_PROXY', 'false')),
    loginLimit: () =>
      parseInteger('LOGIN_RATE_LIMIT', or('LOGIN_RATE_LIMIT', '30'), 1, 1_000_000_000),
    loginWindow: () => parseDuration('LOGIN_RATE_WINDOW', or('LOGIN_RATE_WINDOW', '60s')),
    redisUrl: () => redisUrl(settings),
    bodyLimit: () => parseByteSize('BODY_LIMIT', or('BODY_LIMIT', '64kb')),
    logLevel: () => logLevel(settings),
    metricsPort: () => metricsPort(settings),
  });
  const cors = get('CORS_ORIGINS');

  return Object.assign(new AppConfig(), {
    nodeEnv,
    port: parsed.port,
    host: or('HOST', '0.0.0.0'),
    databaseUrl: parsed.databaseUrl,
    databaseCausalReads: parsed.databaseCausalReads,
    wechat: {
      appId: parsed.appId,
      appSecret: parsed.appSecret,
      apiBaseUrl: parsed.apiBaseUrl,
      timeoutMs: parsed.timeoutMs,
      apps: parsed.apps,
      contentCheck: parsed.contentCheck,
    },
    jwt: {
      algorithm: parsed.jwtAlgorithm,
      secret: parsed.jwtSecret,
      signingKey: parsed.jwtPrivateKey,
      verificationKeys: [
        ...(parsed.jwtPrivateKey ? [parsed.jwtPrivateKey] : []),
        ...parsed.jwtPreviousPublicKeys,
      ],
      issuer: parsed.jwtIssuer,
      audience: parsed.jwtAudience,
      accessTtlSeconds: parsed.accessTtl,
      refreshTtlSeconds: parsed.refreshTtl,
    },
    sessionKeySecrets: [parsed.sessionKey, ...parsed.previousSessionKeys].map((key) => ({
      kid: keyId(key),
      key,
    })),
    introspectionTokenSha256: parsed.introspectionToken,
    trustProxy: parsed.trustProxy,
    loginRateLimit: { limit: parsed.loginLimit, windowMs: parsed.loginWindow * 1000 },
    redisUrl: parsed.redisUrl,
    bodyLimitBytes: parsed.bodyLimit,
    logLevel: parsed.logLevel,
    corsOrigins: cors === undefined ? false : cors.split(',').map((s) => s.trim()),
    metricsPort: parsed.metricsPort,
    warnings,
  });
}
