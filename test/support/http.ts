import { assertDocumentedAnswer } from './openapi-conformance';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * A plain HTTP call as a client would make it; JSON bodies are parsed when present. An answer
 * of a documented operation that openapi.json does not describe fails the calling test.
 */
export async function call<T = any>(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    raw?: string | Buffer;
    headers?: Record<string, string>;
    token?: string;
  } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Buffer | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const method = init.method ?? (body === undefined ? 'GET' : 'POST');
  const response = await fetch(url, {
    method,
    headers,
    body,
  });
  const text = await response.text();
  assertDocumentedAnswer({
    method,
    url,
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
  });
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}
