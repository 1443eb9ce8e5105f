import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { AppConfig } from '../config/app-config';
import { PrismaClient } from '../generated/prisma/client';
import { ConnectOnceAdapter } from './connect-once-adapter';
import { checkDatabase } from './database-check';
import { CAUSAL_READS, DATABASE_POOL, DatabasePool } from './database-pool';

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  private readonly adapter: ConnectOnceAdapter;

  constructor(
    private readonly config: AppConfig,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
  ) {
    const adapter = new ConnectOnceAdapter(new PrismaMariaDb(pool, { disposeExternalPool: true }));
    super({ adapter });
    this.adapter = adapter;
  }

  /**
   * Checks the database (a bad URL or an unmigrated schema stops the start) and connects the
   * adapter, but does not $connect: Prisma starts on its first query. Starting compiles its
   * WebAssembly query compiler, about 50 ms of a cold start and 20 MB of memory that the hot
   * paths, on the SqlClient, never need.
   */
  async onModuleInit(): Promise<void> {
    const initSql = this.config.databaseCausalReads ? CAUSAL_READS : undefined;
    await checkDatabase(this.config.databaseUrl, { initSql });
    await this.adapter.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    // Prisma ends the pool only if it had connected; after a failed start it had not, and the
    // pool would go on retrying its connections in the background.
    if (!this.pool.closed) await this.pool.end();
  }
}
