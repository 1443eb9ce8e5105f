import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { UndeclaredInputGuard } from '../common/validation/undeclared-input.guard';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { WechatModule } from '../wechat/wechat.module';
import { AccessTokenVerifier } from './access-token-verifier';
import { AccessTokenService } from './access-token.service';
import { AccountSessionsService } from './account-sessions.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { IdentitiesController } from './identities.controller';
import { IdentityLinkService } from './identity-link.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { IntrospectionController } from './introspection.controller';
import { IntrospectionService } from './introspection.service';
import { JwksController } from './jwks.controller';
import { jwtModuleOptions } from './jwt-options';
import { JwtStrategy } from './jwt.strategy';
import { LoginRateLimitStorage } from './login-rate-limit.storage';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { SessionService } from './session.service';
import { SessionsController } from './sessions.controller';
import { WechatGrants } from './wechat-grants';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: jwtModuleOptions,
    }),
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ ttl: config.loginRateLimit.windowMs, limit: config.loginRateLimit.limit }],
        storage: new LoginRateLimitStorage(config.redisUrl),
      }),
    }),
    UsersModule,
    WechatModule,
  ],
  controllers: [
    AuthController,
    IdentitiesController,
    SessionsController,
    JwksController,
    IntrospectionController,
  ],
  providers: [
    AuthService,
    IdentityLinkService,
    WechatGrants,
    AccessTokenService,
    AccessTokenVerifier,
    IntrospectionService,
    SessionService,
    AccountSessionsService,
    JwtStrategy,
    LoginThrottlerGuard,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    // After the JWT guard (global guards run in the order they are provided).
    { provide: APP_GUARD, useClass: UndeclaredInputGuard },
  ],
})
export class AuthModule {}
