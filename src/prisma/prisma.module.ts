import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { createDatabasePool, DATABASE_POOL } from './database-pool';
import { PrismaService } from './prisma.service';

@Global()
@Module({
  providers: [
    { provide: DATABASE_POOL, inject: [AppConfig], useFactory: createDatabasePool },
    PrismaService,
  ],
  exports: [PrismaService, DATABASE_POOL],
})
export class PrismaModule {}
