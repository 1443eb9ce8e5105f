import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { createDatabasePool, DATABASE_POOL } from './database-pool';
import { PrismaService } from './prisma.service';
import { SqlClient } from './sql-client';

/** The pool stays inside this module: other modules get Prisma's client or the SqlClient. */
@Global()
@Module({
  providers: [
    { provide: DATABASE_POOL, inject: [AppConfig], useFactory: createDatabasePool },
    PrismaService,
    SqlClient,
  ],
  exports: [PrismaService, SqlClient],
})
export class PrismaModule {}
