import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { UserViewSchema } from '../users/dto/user-view.schema';
import type { UserView } from '../users/user.view';
import type { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { AppCodeDto } from './dto/app-code.dto';
import { AppIdParamDto } from './dto/app-id-param.dto';
import { IdentityLinkService } from './identity-link.service';

/** The caller's WeChat identities: link another app's, unlink one. */
@ApiTags('users')
@Controller('users/me/identities')
export class IdentitiesController {
  constructor(private readonly links: IdentityLinkService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: "Link another app's WeChat identity to the caller's account",
    description:
      'A code of that app (mini-program: wx.login(); web: OAuth). Already the caller’s: 200, ' +
      'unchanged. Of another account with no other identity: it moves here and that account is ' +
      'deleted. Of an account with other identities, or an app the caller already has an ' +
      'identity of: IDENTITY_TAKEN, nothing changes.',
  })
  @ApiOkResponse({ type: UserViewSchema })
  @ApiErrors(
    'WECHAT_CODE_INVALID',
    'WECHAT_USER_BLOCKED',
    'WECHAT_RATE_LIMITED',
    'WECHAT_SNAPSHOT_USER',
    'WECHAT_MISCONFIGURED',
    'WECHAT_UNAVAILABLE',
    'IDENTITY_TAKEN',
  )
  link(@CurrentUser() caller: AuthenticatedUser, @Body() body: AppCodeDto): Promise<UserView> {
    return this.links.link(caller, body);
  }

  @Delete(':appId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unlink the identity of an app: it becomes an account of its own',
    description:
      'The identity moves to a new account (empty profile, active) and its sessions are ' +
      "revoked. The session's own identity, or the account's last one, is IDENTITY_IN_USE; an " +
      'app the account has no identity of is NOT_FOUND.',
  })
  @ApiNoContentResponse({ description: 'Unlinked; its sessions are revoked' })
  @ApiErrors('IDENTITY_IN_USE', 'NOT_FOUND')
  unlink(@CurrentUser() caller: AuthenticatedUser, @Param() params: AppIdParamDto): Promise<void> {
    return this.links.unlink(caller, params.appId);
  }
}
