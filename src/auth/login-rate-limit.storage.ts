import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Where login attempts are counted. With REDIS_URL, in Redis, so that every instance behind
 * the load balancer shares one count per client IP; without it, in this process.
 *
 * While Redis cannot be reached, attempts are counted in this process instead (the limit then
 * holds per instance) and logins go on: a rate limiter that refuses every login because its
 * counter is down would turn a Redis outage into a login outage. Once Redis answers again,
 * counting goes back to it by itself.
 */
export class LoginRateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('LoginRateLimit');
  private readonly memory = new ThrottlerStorageService();
  private redis?: Redis;
  private readonly shared?: Promise<ThrottlerStorageRedisService>;
  private redisDown = false;

  constructor(redisUrl: string | undefined) {
    if (redisUrl) this.shared = this.connect(redisUrl);
  }

  /** Imported here: ioredis takes about 25 ms of a cold start to load, for nothing without REDIS_URL. */
  private async connect(redisUrl: string): Promise<ThrottlerStorageRedisService> {
    const [{ default: Redis }, { ThrottlerStorageRedisService }] = await Promise.all([
      import('ioredis'),
      import('@nest-lab/throttler-storage-redis'),
    ]);
    this.redis = new Redis(redisUrl, {
      // Fail at once while disconnected rather than queue the login behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: 500,
    });
    // ioredis reports each failed reconnect as an 'error' event; increment() logs the outage once.
    this.redis.on('error', () => undefined);
    return new ThrottlerStorageRedisService(this.redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.shared) {
      try {
        const shared = await this.shared;
        const record = await shared.increment(key, ttl, limit, blockDuration, throttlerName);
        if (this.redisDown) {
          this.redisDown = false;
          this.logger.log('Redis answers again: login attempts are counted there');
        }
        return record;
      } catch (error) {
        if (!this.redisDown) {
          this.redisDown = true;
          this.logger.warn(
            { code: (error as { code?: string }).code ?? (error as Error).name },
            'Redis cannot be reached: login attempts are counted in this instance until it is back',
          );
        }
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  async onApplicationShutdown(): Promise<void> {
    this.memory.onApplicationShutdown();
    await this.shared;
    this.redis?.disconnect();
  }
}
