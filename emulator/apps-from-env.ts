/**
 * The apps `main.ts` serves, read from the service's own settings: WECHAT_APP_ID /
 * WECHAT_APP_SECRET (the default mini-program) and WECHAT_APPS, a JSON array of
 * `{"appId","secret","type","name"?}` (docs/api.md, Part 2, "Apps: WECHAT_APPS").
 */
import { APP_TYPES, DEV_APP_ID, DEV_APP_SECRET, type AppType, type EmulatorApp } from './config';

export interface NamedApp extends Required<EmulatorApp> {
  name: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** An empty variable counts as missing, as in the service's own configuration. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function field(entry: Record<string, unknown>, key: string, index: number): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new Error(`WECHAT_APPS[${index}].${key} must be a non-empty string`);
  }
  return value;
}

function parseEntry(entry: unknown, index: number): NamedApp {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`WECHAT_APPS[${index}] must be an object`);
  }
  const record = entry as Record<string, unknown>;
  const appId = field(record, 'appId', index);
  const appSecret = field(record, 'secret', index);
  if (appId === undefined || appSecret === undefined) {
    throw new Error(`WECHAT_APPS[${index}] needs "appId" and "secret"`);
  }
  const typeText = field(record, 'type', index) ?? 'miniprogram';
  const type = APP_TYPES.find((candidate): candidate is AppType => candidate === typeText);
  if (type === undefined) {
    throw new Error(`WECHAT_APPS[${index}].type must be one of ${APP_TYPES.join(', ')}`);
  }
  return { appId, appSecret, type, name: field(record, 'name', index) };
}

/** The default mini-program first (the control routes' default), then WECHAT_APPS in order. */
export function appsFromEnv(env: Env): NamedApp[] {
  const defaultApp: NamedApp = {
    appId: envValue(env, 'WECHAT_APP_ID') ?? DEV_APP_ID,
    appSecret: envValue(env, 'WECHAT_APP_SECRET') ?? DEV_APP_SECRET,
    type: 'miniprogram',
    name: undefined,
  };
  const text = envValue(env, 'WECHAT_APPS');
  if (text === undefined) return [defaultApp];
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new Error('WECHAT_APPS must be a JSON array');
  }
  if (!Array.isArray(entries)) throw new Error('WECHAT_APPS must be a JSON array');
  const apps = [defaultApp, ...entries.map(parseEntry)];
  const seen = new Set<string>();
  for (const { appId } of apps) {
    if (seen.has(appId)) throw new Error(`WECHAT_APPS: app id ${appId} appears twice`);
    seen.add(appId);
  }
  return apps;
}
