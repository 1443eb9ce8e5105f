import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { StrictValidationPipe } from './common/validation/strict-validation.pipe';
import { AppConfig } from './config/app-config';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PrismaModule } from './prisma/prisma.module';
import { UsersModule } from './users/users.module';
import { WechatModule } from './wechat/wechat.module';

@Global()
@Module({})
export class AppModule {
  /** The application with its validated configuration, injectable everywhere as AppConfig. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PrismaModule, MetricsModule, WechatModule, UsersModule, AuthModule, HealthModule],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: APP_PIPE, useClass: StrictValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [AppConfig],
    };
  }
}
