/** A stable token as WeChat hands it out: the value and its remaining lifetime. */
export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

/** Renew this long before expiry at most: WeChat's stable token overlaps its successor for 5 minutes. */
const MAX_RENEW_MARGIN_MS = 300_000;

/**
 * Caches one app's stable token in memory and fetches it at most once at a time, however many
 * callers wait (single flight). The token is renewed before it expires, and dropped only
 * while it is still the one a call found invalid, so a stale failure cannot throw away the
 * fresh token another caller just fetched.
 */
export class StableTokenCache {
  private cached: { token: string; renewAt: number; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly fetch: () => Promise<FetchedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached token, or the one being fetched, or a fetch of a new one. A failed fetch is
   * not cached; while renewing, a failed fetch falls back to the old token until it expires.
   */
  get(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.renewAt) return Promise.resolve(cached.token);
    this.inflight ??= this.refill().finally(() => {
      this.inflight = undefined;
    });
    if (!cached) return this.inflight;
    return this.inflight.catch((error: unknown) => {
      if (this.cached === cached && this.now() < cached.expiresAt) return cached.token;
      throw error;
    });
  }

  /** Forgets `token` if it is still the cached one; a newer token stays. */
  drop(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  /**
   * Runs `call` with the token; when it fails with a token error (`isTokenError`), drops
   * that token, gets a fresh one and runs `call` once more. A second token error is
   * handed to the caller as it is.
   */
  async withToken<T>(
    call: (token: string) => Promise<T>,
    isTokenError: (error: unknown) => boolean,
  ): Promise<T> {
    const token = await this.get();
    try {
      return await call(token);
    } catch (error) {
      if (!isTokenError(error)) throw error;
      this.drop(token);
    }
    const fresh = await this.get();
    try {
      return await call(fresh);
    } catch (error) {
      if (isTokenError(error)) this.drop(fresh);
      throw error;
    }
  }

  private async refill(): Promise<string> {
    const { token, expiresInSeconds } = await this.fetch();
    const lifetimeMs = expiresInSeconds * 1000;
    // Half the lifetime for short-lived tokens: a token fetched inside WeChat's renewal
    // window comes back with little time left, and must not be refetched on every call.
    const margin = Math.min(MAX_RENEW_MARGIN_MS, lifetimeMs / 2);
    const now = this.now();
    this.cached = { token, renewAt: now + lifetimeMs - margin, expiresAt: now + lifetimeMs };
    return token;
  }
}
