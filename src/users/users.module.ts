import { Module } from '@nestjs/common';
import { WechatModule } from '../wechat/wechat.module';
import { AccountClosureService } from './account-closure.service';
import { AccountExportService } from './account-export.service';
import { IdentityRepository } from './identity.repository';
import { LoginRecorder } from './login-recorder.service';
import { PhoneBindingService } from './phone-binding.service';
import { SessionKeyCipher } from './session-key.cipher';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { WechatDataController } from './wechat-data.controller';

@Module({
  imports: [WechatModule],
  controllers: [UsersController, WechatDataController],
  providers: [
    UsersService,
    SessionKeyCipher,
    PhoneBindingService,
    LoginRecorder,
    IdentityRepository,
    AccountExportService,
    AccountClosureService,
  ],
  exports: [UsersService, LoginRecorder, IdentityRepository],
})
export class UsersModule {}
