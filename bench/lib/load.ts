import autocannon from 'autocannon';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  errors: number;
  total: number;
  /** A few non-2xx answers, to say what went wrong. */
  samples: string[];
}

/**
 * Drives one target for `durationS` over `connections` keep-alive connections; `next()`
 * supplies every request (so each login carries a fresh code, each /users/me the next token).
 */
export async function drive(
  url: string,
  connections: number,
  durationS: number,
  next: () => LoadRequest,
): Promise<LoadResult> {
  const samples: string[] = [];
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => {
          const spec = next();
          return {
            ...request,
            method: spec.method,
            path: spec.path,
            headers: {
              ...spec.headers,
              ...(spec.body ? { 'content-type': 'application/json' } : {}),
            },
            body: spec.body,
          };
        },
        onResponse: (status, body) => {
          if ((status < 200 || status > 299) && samples.length < 3)
            samples.push(`${status} ${body.slice(0, 200)}`);
        },
      },
    ],
  });
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
    total: result.requests.total,
    samples,
  };
}

/** Calls `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let index = 0;
  const worker = async () => {
    while (index < items.length) {
      const mine = index++;
      results[mine] = await fn(items[mine]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function postJson<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** A fixed set of returning users plus a trickle of new ones, as the emulator's one-time codes. */
export class CodeMinter {
  constructor(
    private readonly emulatorUrl: string,
    readonly openids: string[],
  ) {}

  /** `total` codes, shuffled: `newShare` of them for new users, the rest spread over the openids. */
  async mint(total: number, newShare: number): Promise<string[]> {
    const fresh = Math.round(total * newShare);
    const perOpenid = Math.ceil((total - fresh) / this.openids.length);
    const batches = await inParallel(this.openids, 8, (openid) => this.batch(perOpenid, openid));
    if (fresh > 0) batches.push(await this.batch(fresh));
    const codes = batches.flat();
    for (let i = codes.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [codes[i], codes[j]] = [codes[j], codes[i]];
    }
    return codes;
  }

  /** `count` codes for one openid (a new user per code without one). */
  async batch(count: number, openid?: string): Promise<string[]> {
    const { status, body } = await postJson<{ codes: Array<{ code: string }>; error?: string }>(
      `${this.emulatorUrl}/__emulator/login-codes`,
      { count, ...(openid ? { openid } : {}) },
    );
    if (status !== 200) throw new Error(`emulator refused to mint codes: ${body.error}`);
    return body.codes.map((c) => c.code);
  }
}
