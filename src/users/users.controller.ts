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
  @ApiOperation({
    summary: "The caller's user",
    description:
      "The account seen from the caller's session: `appId`/`openid`/`unionid` are the session's " +
      'identity, `identities` lists every identity of the account, oldest first.',
  })
  @ApiOkResponse({ type: UserViewSchema })
  me(@CurrentUser() caller: AuthenticatedUser): UserView {
    return this.users.view(caller, caller.identity);
  }

  @Patch('me')
  @ApiOperation({
    summary: 'Update nickname, avatar or gender (avatar and nickname fill-in components)',
    description:
      'At least one of `nickname` (1-64 code points), `avatarUrl` (http(s), up to 512) and ' +
      '`gender` (0, 1, 2). With CONTENT_CHECK=on a new nickname from a mini-program session is ' +
      'checked by WeChat first: `risky` is CONTENT_REJECTED and nothing changes.',
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
  @ApiOperation({
    summary: 'The same as PATCH /users/me, for clients that cannot send PATCH',
    description:
      'wx.request documents no PATCH and some base libraries refuse it: the same body, checks ' +
      'and answer as `PATCH /users/me`.',
  })
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
  @ApiOperation({
    summary: 'Bind the phone number of the getPhoneNumber button',
    description:
      "The button's `code` is exchanged with WeChat (with the session identity's openid; the " +
      'session must be of a mini-program identity) and the number is stored. A number bound to ' +
      'another account is PHONE_TAKEN; binding the account’s own number again is 200.',
  })
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
  @ApiOperation({
    summary: "The account's most recent logins (every identity), newest first",
    description:
      '`limit` is an integer 1-100, default 20. Ties keep insertion order, newest first.',
  })
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
    description:
      'The account (with the user object field names), every identity, every session (revoked and expired included) and every login, newest first. Never a session key, token or token hash.',
  })
  @ApiOkResponse({ type: AccountExportSchema })
  export(@CurrentUser() caller: AuthenticatedUser): Promise<AccountExport> {
    return this.exports.export(caller);
  }

  @Delete('me')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the account and every row about the person (right to erasure)',
    description:
      "China's PIPL right to erasure: the account, its identities, sessions, refresh tokens and logins are deleted in one transaction; only the audit_log row of the deletion (account id, time, actor) stays. The same WeChat user's next login creates a new account.",
  })
  @ApiNoContentResponse({
    description: 'Deleted; its access and refresh tokens stop working on every instance',
  })
  deleteMe(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    return this.closure.close(caller);
  }
}
