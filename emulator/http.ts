/** HTTP plumbing shared by the WeChat and control routes: replies, body reading, refusals. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type JsonObject = Record<string, unknown>;

// WeChat says text/plain on /sns although the body is JSON, and this exact header elsewhere.
export const SNS_CONTENT_TYPE = 'text/plain';
export const WECHAT_JSON_CONTENT_TYPE = 'application/json; encoding=utf-8';
const CONTROL_CONTENT_TYPE = 'application/json; charset=utf-8';
const MAX_BODY_BYTES = 1024 * 1024;

export interface Reply {
  status: number;
  contentType: string;
  body: string;
  /** Extra words for the request log line, e.g. the errcode. */
  logNote?: string;
}

/** A refused request (bad control call, oversized body) that becomes a JSON `{error}` answer. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function jsonReply(status: number, body: JsonObject): Reply {
  return { status, contentType: CONTROL_CONTENT_TYPE, body: JSON.stringify(body) };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, 'body too large'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** Resolves after `ms`, or earlier when the client goes away (no timer outlives a closed server). */
export function waitUnlessClosed(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      res.off('close', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    res.on('close', finish);
  });
}

/** One of WeChat's paths: its method, its content type, and what it answers. */
export interface WechatRoute {
  method: 'GET' | 'POST';
  contentType: string;
  handle(query: URLSearchParams, body: string): JsonObject;
}

/** WeChat answers HTTP 200 whatever happened; the errcode goes into the log line. */
export function wechatReply(route: WechatRoute, body: JsonObject): Reply {
  const errcode = body['errcode'];
  return {
    status: 200,
    contentType: route.contentType,
    body: JSON.stringify(body),
    logNote: typeof errcode === 'number' && errcode !== 0 ? `errcode=${errcode}` : undefined,
  };
}

/** A control route under /__emulator/: method, path after the prefix, handler. */
export type ControlRoute = [
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  handle: (body: JsonObject, query: URLSearchParams) => JsonObject,
];
