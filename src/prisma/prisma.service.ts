import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { AppConfig } from '../config/app-config';
import { PrismaClient } from '../generated/prisma/client';
import { checkDatabase } from './database-check';
import { CAUSAL_READS, DATABASE_POOL, DatabasePool } from './database-pool';

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly config: AppConfig,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
  ) {
    super({ adapter: new PrismaMariaDb(pool, { disposeExternalPool: true }) });
  }

  async onModuleInit(): Promise<void> {
    const initSql = this.config.databaseCausalReads ? CAUSAL_READS : undefined;
    await checkDatabase(this.config.databaseUrl, { initSql });
    await this.$connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    // Prisma ends the pool only if it had connected; after a failed start it had not, and the
    // pool would go on retrying its connections in the background.
    if (!this.pool.closed) await this.pool.end();
  }
}
