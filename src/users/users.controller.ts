import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import type { WechatPhoneNumber } from '../wechat/wechat-phone.service';
import type { AccountExport } from './account-export';
import { AccountClosureService } from './account-closure.service';
import { AccountExportService } from './account-export.service';
import { AccountExportSchema } from './dto/account-export.schema';
import { BindPhoneDto } from './dto/bind-phone.dto';
import { DEFAULT_LOGINS_LIMIT, LoginsQueryDto } from './dto/logins-query.dto';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { UserViewSchema } from './dto/user-view.schema';
import { LoginViewSchema, PhoneNumberSchema } from './dto/users.responses';
import type { LoginView } from './login.view';
import type { UserView } from './user.view';
import { PhoneBindingService } from './phone-binding.service';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly phoneBinding: PhoneBindingService,
    private readonly exports: AccountExportService,
    private readonly closure: AccountClosureService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: "The caller's user" })
  @ApiOkResponse({ type: UserViewSchema })
  me(@CurrentUser() caller: AuthenticatedUser): UserView {
    return this.users.view(caller, caller.identity);
  }

  @Patch('me')
  @ApiOperation({
    summary: 'Update nickname, avatar or gender (avatar and nickname fill-in components)',
  })
  @ApiOkResponse({ type: UserViewSchema })
  @ApiErrors(
    'CONTENT_REJECTED',
    'WECHAT_RATE_LIMITED',
    'WECHAT_MISCONFIGURED',
    'WECHAT_UNAVAILABLE',
  )
  updateMe(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: UpdateProfileDto,
  ): Promise<UserView> {
    return this.users.updateProfile(caller, body);
  }

  /** The same as PATCH /users/me: wx.request documents no PATCH, and some base libraries refuse it. */
  @Post('me/profile')
  @HttpCode(200)
  @ApiOperation({ summary: 'The same as PATCH /users/me, for clients that cannot send PATCH' })
  @ApiOkResponse({ type: UserViewSchema })
  @ApiErrors(
    'CONTENT_REJECTED',
    'WECHAT_RATE_LIMITED',
    'WECHAT_MISCONFIGURED',
    'WECHAT_UNAVAILABLE',
  )
  updateMeByPost(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: UpdateProfileDto,
  ): Promise<UserView> {
    return this.updateMe(caller, body);
  }

  @Post('me/phone')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bind the phone number of the getPhoneNumber button' })
  @ApiOkResponse({ type: PhoneNumberSchema })
  @ApiErrors(
    'WECHAT_CODE_INVALID',
    'WECHAT_RATE_LIMITED',
    'WECHAT_MISCONFIGURED',
    'WECHAT_UNAVAILABLE',
    'PHONE_TAKEN',
  )
  bindPhone(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: BindPhoneDto,
  ): Promise<WechatPhoneNumber> {
    return this.phoneBinding.bind(caller, body.code);
  }

  @Get('me/logins')
  @ApiOperation({ summary: "The account's most recent logins (every identity), newest first" })
  @ApiOkResponse({ type: LoginViewSchema, isArray: true })
  logins(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: LoginsQueryDto,
  ): Promise<LoginView[]> {
    return this.users.recentLogins(caller.accountId, Number(query.limit ?? DEFAULT_LOGINS_LIMIT));
  }

  @Get('me/export')
  @ApiOperation({
    summary: 'A copy of everything stored about the person: account, identities, sessions, logins',
  })
  @ApiOkResponse({ type: AccountExportSchema })
  export(@CurrentUser() caller: AuthenticatedUser): Promise<AccountExport> {
    return this.exports.export(caller);
  }

  @Delete('me')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the account and every row about the person (right to erasure)',
  })
  @ApiNoContentResponse({
    description: 'Deleted; its access and refresh tokens stop working on every instance',
  })
  deleteMe(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    return this.closure.close(caller);
  }
}
