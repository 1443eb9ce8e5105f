/** The emulator's options and their validation. */
export const DEV_APP_ID = 'wx1234567890abcdef';
export const DEV_APP_SECRET = '0123456789abcdef0123456789abcdef';

export const APP_TYPES = ['miniprogram', 'official_account', 'website'] as const;
/** A mini-program, an Official Account's web pages, or an Open Platform website app (QR login). */
export type AppType = (typeof APP_TYPES)[number];

export interface EmulatorApp {
  appId: string;
  appSecret: string;
  /** Default miniprogram. */
  type?: AppType;
}

export interface EmulatorOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Apps the emulator knows; the first one is the default for control routes. Default: the DEV mini-program. */
  apps?: EmulatorApp[];
  /** Lifetime of a stable access token. Default 7200. */
  stableTokenTtlSeconds?: number;
  /** Lifetime of login, phone and web (OAuth) codes. Default 300. */
  codeTtlSeconds?: number;
  /**
   * How long before a stable token's expiry stable_token starts handing out its successor
   * (both stay valid meanwhile). Default min(300, stableTokenTtlSeconds / 24): WeChat's
   * 5 minutes for the usual 7200 s, proportionally less for the short TTLs tests use.
   */
  stableTokenRefreshWindowSeconds?: number;
  /** One line per request on stdout (no query strings, so no secrets). Default: EMULATOR_LOG=1. */
  log?: boolean;
}

export interface Config {
  apps: Array<Required<EmulatorApp>>;
  stableTokenTtlMs: number;
  refreshWindowMs: number;
  codeTtlMs: number;
  log: boolean;
}

function positiveSeconds(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function resolveApps(apps: EmulatorApp[]): Array<Required<EmulatorApp>> {
  if (apps.length === 0) throw new Error('the emulator needs at least one app');
  if (new Set(apps.map((app) => app.appId)).size !== apps.length) {
    throw new Error('appIds must be unique');
  }
  if (apps.some((app) => app.appId === '' || app.appSecret === '')) {
    throw new Error('appId and appSecret must not be empty');
  }
  return apps.map(({ appId, appSecret, type = 'miniprogram' }) => {
    if (!APP_TYPES.includes(type)) {
      throw new Error(`app ${appId}: type must be one of ${APP_TYPES.join(', ')}`);
    }
    return { appId, appSecret, type };
  });
}

export function resolveConfig(options: EmulatorOptions): Config {
  const apps = resolveApps(options.apps ?? [{ appId: DEV_APP_ID, appSecret: DEV_APP_SECRET }]);
  const ttl = positiveSeconds(options.stableTokenTtlSeconds ?? 7200, 'stableTokenTtlSeconds');
  const window = options.stableTokenRefreshWindowSeconds ?? Math.min(300, ttl / 24);
  if (!Number.isFinite(window) || window < 0 || window >= ttl) {
    throw new Error(
      'stableTokenRefreshWindowSeconds must be at least 0 and less than stableTokenTtlSeconds',
    );
  }
  return {
    apps,
    stableTokenTtlMs: ttl * 1000,
    refreshWindowMs: window * 1000,
    codeTtlMs: positiveSeconds(options.codeTtlSeconds ?? 300, 'codeTtlSeconds') * 1000,
    log: options.log ?? process.env['EMULATOR_LOG'] === '1',
  };
}
