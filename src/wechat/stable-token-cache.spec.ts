import { StableTokenCache, FetchedToken } from './stable-token-cache';

class TokenError extends Error {}
const isTokenError = (error: unknown) => error instanceof TokenError;

/** A fetcher that answers only when the test says so, counting its calls. */
class FakeFetcher {
  calls = 0;
  private pending: Array<{
    resolve: (token: FetchedToken) => void;
    reject: (error: Error) => void;
  }> = [];

  readonly fetch = (): Promise<FetchedToken> => {
    this.calls++;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };

  async answer(token: string, expiresInSeconds = 7200): Promise<void> {
    (await this.next()).resolve({ token, expiresInSeconds });
    await flush();
  }

  async fail(error = new Error('WeChat is down')): Promise<void> {
    (await this.next()).reject(error);
    await flush();
  }

  /** The oldest unanswered fetch, once the code under test has started one. */
  private async next() {
    for (let turn = 0; turn < 100 && this.pending.length === 0; turn++) await flush();
    const next = this.pending.shift();
    if (!next) throw new Error('no fetch was started');
    return next;
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

let clock: number;
let fetcher: FakeFetcher;
let cache: StableTokenCache;

beforeEach(() => {
  clock = 1_000_000;
  fetcher = new FakeFetcher();
  cache = new StableTokenCache(fetcher.fetch, () => clock);
});

describe('StableTokenCache.get', () => {
  it('fetches once for many concurrent callers (single flight) and then serves from memory', async () => {
    const waiting = Array.from({ length: 20 }, () => cache.get());
    expect(fetcher.calls).toBe(1);
    await fetcher.answer('A');
    expect(await Promise.all(waiting)).toEqual(Array(20).fill('A'));
    expect(await cache.get()).toBe('A');
    expect(fetcher.calls).toBe(1);
  });

  it('renews five minutes before expiry, not earlier', async () => {
    const first = cache.get();
    await fetcher.answer('A', 7200);
    await first;
    clock += (7200 - 300) * 1000 - 1;
    expect(await cache.get()).toBe('A');
    clock += 1;
    const renewed = cache.get();
    expect(fetcher.calls).toBe(2);
    await fetcher.answer('B');
    expect(await renewed).toBe('B');
  });

  it('keeps a token fetched with little time left for half of it, not refetching every call', async () => {
    const first = cache.get();
    await fetcher.answer('A', 200);
    await first;
    clock += 99_999;
    expect(await cache.get()).toBe('A');
    expect(fetcher.calls).toBe(1);
    clock += 1;
    void cache.get();
    expect(fetcher.calls).toBe(2);
  });

  it('does not cache a failed fetch: the next caller fetches again', async () => {
    const waiting = [cache.get(), cache.get()].map((got) =>
      expect(got).rejects.toThrow('WeChat is down'),
    );
    await fetcher.fail();
    await Promise.all(waiting);
    const next = cache.get();
    expect(fetcher.calls).toBe(2);
    await fetcher.answer('A');
    expect(await next).toBe('A');
  });

  it('falls back to the old token while renewal fails and it has not expired yet', async () => {
    const first = cache.get();
    await fetcher.answer('A', 7200);
    await first;
    clock += 7000 * 1000;
    const renewing = cache.get();
    await fetcher.fail();
    expect(await renewing).toBe('A');
    clock += 200 * 1000;
    const expired = expect(cache.get()).rejects.toThrow('WeChat is down');
    await fetcher.fail();
    await expired;
  });
});

describe('StableTokenCache.drop', () => {
  it('drops the token only while it is still the cached one', async () => {
    const first = cache.get();
    await fetcher.answer('A');
    await first;
    cache.drop('A');
    const second = cache.get();
    await fetcher.answer('B');
    expect(await second).toBe('B');
    // A late failure with the old token must not throw away the new one.
    cache.drop('A');
    expect(await cache.get()).toBe('B');
    expect(fetcher.calls).toBe(2);
  });
});

describe('StableTokenCache.withToken', () => {
  const prime = async (token: string) => {
    const got = cache.get();
    await fetcher.answer(token);
    await got;
  };

  it('passes the cached token and returns the result', async () => {
    await prime('A');
    await expect(
      cache.withToken(async (token) => {
        await flush();
        return `used ${token}`;
      }, isTokenError),
    ).resolves.toBe('used A');
  });

  it('on a token error drops the token, fetches a new one and retries once', async () => {
    await prime('A');
    const used: string[] = [];
    const result = cache.withToken(async (token) => {
      await flush();
      used.push(token);
      if (token === 'A') throw new TokenError();
      return 'ok';
    }, isTokenError);
    await fetcher.answer('B');
    await expect(result).resolves.toBe('ok');
    expect(fetcher.calls).toBe(2);
    expect(used).toEqual(['A', 'B']);
  });

  it('retries only once: a second token error reaches the caller and drops that token too', async () => {
    await prime('A');
    let calls = 0;
    const result = expect(
      cache.withToken(async () => {
        await flush();
        calls++;
        throw new TokenError('still invalid');
      }, isTokenError),
    ).rejects.toThrow('still invalid');
    await flush();
    await fetcher.answer('B');
    await result;
    expect(calls).toBe(2);
    void cache.get();
    expect(fetcher.calls).toBe(3);
  });

  it('does not retry other errors and keeps the token', async () => {
    await prime('A');
    let calls = 0;
    await expect(
      cache.withToken(async () => {
        await flush();
        calls++;
        throw new Error('code invalid');
      }, isTokenError),
    ).rejects.toThrow('code invalid');
    expect(calls).toBe(1);
    expect(await cache.get()).toBe('A');
    expect(fetcher.calls).toBe(1);
  });

  it('many calls failing with one invalidated token share one refetch and all succeed', async () => {
    await prime('A');
    const results = Array.from({ length: 20 }, () =>
      cache.withToken(async (token) => {
        await flush();
        if (token === 'A') throw new TokenError();
        return token;
      }, isTokenError),
    );
    await flush();
    await flush();
    expect(fetcher.calls).toBe(2);
    await fetcher.answer('B');
    expect(await Promise.all(results)).toEqual(Array(20).fill('B'));
    expect(fetcher.calls).toBe(2);
  });

  it('a call failing late with the old token does not drop the new one', async () => {
    await prime('A');
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    const fast = cache.withToken(async (token) => {
      await flush();
      if (token === 'A') throw new TokenError();
      return token;
    }, isTokenError);
    const slow = cache.withToken(async (token) => {
      if (token === 'A') {
        await slowGate;
        throw new TokenError();
      }
      return token;
    }, isTokenError);
    await flush();
    await fetcher.answer('B');
    expect(await fast).toBe('B');
    releaseSlow();
    expect(await slow).toBe('B');
    expect(fetcher.calls).toBe(2);
  });
});
