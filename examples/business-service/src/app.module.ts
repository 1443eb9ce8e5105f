import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessTokenGuard } from './access-token.guard';
import { OrdersController } from './orders.controller';
import { BusinessServiceSettings } from './settings';

@Module({})
export class BusinessServiceModule {
  static forRoot(settings: BusinessServiceSettings): DynamicModule {
    return {
      module: BusinessServiceModule,
      controllers: [OrdersController],
      providers: [
        { provide: BusinessServiceSettings, useValue: settings },
        // Global: a new controller is protected without anyone remembering to add the guard.
        { provide: APP_GUARD, useClass: AccessTokenGuard },
      ],
    };
  }
}
