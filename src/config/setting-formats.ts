import { createHash } from 'node:crypto';
import { compile as compileTrust } from 'proxy-addr';
import { ConfigError } from './config-error';

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

export function parseInteger(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return value;
}

export function isRedisUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Express's `trust proxy` semantics: false, true, or addresses/CIDRs. */
export function parseTrustProxy(raw: string): (address: string, hop: number) => boolean {
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
export function parseSessionKeySecret(name: string, raw: string): Buffer {
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

/** A short public id of a key, stored beside what it sealed, so rotation finds the right key. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
