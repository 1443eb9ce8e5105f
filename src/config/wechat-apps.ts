import { ConfigError } from './config-error';

export type WechatAppType = 'miniprogram' | 'official_account' | 'website';
export interface WechatApp {
  appId: string;
  secret: string;
  type: WechatAppType;
  name?: string;
}

const APP_TYPES: readonly WechatAppType[] = ['miniprogram', 'official_account', 'website'];
const FIELDS = new Set(['appId', 'secret', 'type', 'name']);
/** WeChat's formats (docs/api.md): an AppID is `wx` + 16 hex characters, an AppSecret 32. */
export const APP_ID_FORMAT = /^wx[0-9a-f]{16}$/i;
export const APP_SECRET_FORMAT = /^[0-9a-f]{32}$/i;

/** A problem with WECHAT_APPS: one line, naming the setting and the entry, never a secret. */
function invalid(detail: string): ConfigError {
  return new ConfigError(`WECHAT_APPS${detail}`);
}

function parseEntry(entry: unknown, index: number, production: boolean): WechatApp {
  const where = `[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw invalid(`${where} must be an object like {"appId","secret","type","name"?}`);
  }
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) {
    throw invalid(
      `${where} has unknown field(s) ${unknown.join(', ')}; allowed: appId, secret, type, name`,
    );
  }
  for (const key of ['appId', 'secret', 'type'] as const) {
    if (typeof fields[key] !== 'string' || fields[key].trim() === '') {
      throw invalid(`${where}.${key} must be a non-empty string`);
    }
  }
  if (fields.name !== undefined && typeof fields.name !== 'string') {
    throw invalid(`${where}.name must be a string when given`);
  }
  const app: WechatApp = {
    appId: (fields.appId as string).trim(),
    secret: (fields.secret as string).trim(),
    type: fields.type as WechatAppType,
    ...(fields.name === undefined ? {} : { name: fields.name }),
  };
  if (!APP_TYPES.includes(app.type)) {
    throw invalid(`${where}.type (${app.appId}) must be one of ${APP_TYPES.join(', ')}`);
  }
  if (production && !APP_ID_FORMAT.test(app.appId)) {
    throw invalid(`${where}.appId must be wx + 16 hex characters in production`);
  }
  if (production && !APP_SECRET_FORMAT.test(app.secret)) {
    throw invalid(
      `${where}.secret (${app.appId}) must be the AppSecret (32 hex characters) in production`,
    );
  }
  return app;
}

/**
 * The apps the service serves: the default mini-program (WECHAT_APP_ID/WECHAT_APP_SECRET)
 * first, then those of WECHAT_APPS, a JSON array (docs/api.md, Part 2, "Apps: WECHAT_APPS").
 * Every problem is one ConfigError naming WECHAT_APPS; the raw value is never echoed, since it
 * holds secrets (so neither is JSON.parse's message, which quotes the text).
 */
export function parseWechatApps(
  raw: string | undefined,
  defaultApp: WechatApp,
  production: boolean,
): WechatApp[] {
  if (raw === undefined) return [defaultApp];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(' is not valid JSON; expected [{"appId","secret","type","name"?}, …]');
  }
  if (!Array.isArray(parsed)) throw invalid(' must be a JSON array of apps');
  const apps = [defaultApp];
  parsed.forEach((entry, index) => {
    const app = parseEntry(entry, index, production);
    const sameId = (known: WechatApp) => known.appId.toLowerCase() === app.appId.toLowerCase();
    if (sameId(defaultApp)) {
      throw invalid(`[${index}] repeats ${app.appId}, the default app (WECHAT_APP_ID)`);
    }
    if (apps.some(sameId)) {
      throw invalid(` lists ${app.appId} more than once`);
    }
    apps.push(app);
  });
  return apps;
}
