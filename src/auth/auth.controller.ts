import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ClientIp } from '../common/http/client-ip.decorator';
import { UserAgent } from '../common/http/user-agent.decorator';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { AuthService } from './auth.service';
import type { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { AppCodeDto } from './dto/app-code.dto';
import { RefreshDto } from './dto/refresh.dto';
import { LoginResult, TokenPair } from './dto/token-pair.dto';
import { WechatLoginDto } from './dto/wechat-login.dto';
import { Public } from './public.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(LoginThrottlerGuard)
  @Post('wechat/login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with the code of wx.login()',
    description:
      'The code is exchanged with WeChat (`appId` names a configured mini-program, default ' +
      'WECHAT_APP_ID); the identity and its account are created or updated and tokens are ' +
      'issued. A profile in `userInfo`, or verified `rawData` + `signature`, updates nickname, ' +
      'avatar and gender.',
  })
  @ApiOkResponse({ type: LoginResult })
  @ApiErrors(
    'PAYLOAD_TOO_LARGE',
    'WECHAT_CODE_INVALID',
    'WECHAT_USER_BLOCKED',
    'WECHAT_RATE_LIMITED',
    'WECHAT_SIGNATURE_INVALID',
    'WECHAT_MISCONFIGURED',
    'WECHAT_UNAVAILABLE',
    'USER_DISABLED',
    'RATE_LIMITED',
  )
  login(
    @Body() body: WechatLoginDto,
    @ClientIp() ip: string,
    @UserAgent() userAgent?: string,
  ): Promise<LoginResult> {
    return this.auth.login(body, { ip, userAgent });
  }

  @Public()
  @UseGuards(LoginThrottlerGuard)
  @Post('wechat/oauth')
  @HttpCode(200)
  @ApiOperation({
    summary: "Log in with the OAuth code of an Official Account page or a website's QR login",
    description:
      '`appId` names a configured `official_account` or `website` app. With a userinfo scope the ' +
      'account’s empty nickname and avatar are filled from WeChat. A snapshot-page user is ' +
      'WECHAT_SNAPSHOT_USER and nothing is written.',
  })
  @ApiBody({
    type: AppCodeDto,
    examples: {
      website: {
        summary: "A website's QR login (appId of a configured website app)",
        value: { appId: 'wx00000000000000e7', code: '061Xyz1w3ZbXyS0Wq1Iw3NQ0mR1Xyz1P' },
      },
    },
  })
  @ApiOkResponse({ type: LoginResult })
  @ApiErrors(
    'PAYLOAD_TOO_LARGE',
    'WECHAT_CODE_INVALID',
    'WECHAT_USER_BLOCKED',
    'WECHAT_RATE_LIMITED',
    'WECHAT_SNAPSHOT_USER',
    'WECHAT_MISCONFIGURED',
    'WECHAT_UNAVAILABLE',
    'USER_DISABLED',
    'RATE_LIMITED',
  )
  oauthLogin(
    @Body() body: AppCodeDto,
    @ClientIp() ip: string,
    @UserAgent() userAgent?: string,
  ): Promise<LoginResult> {
    return this.auth.oauthLogin(body, { ip, userAgent });
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for new tokens (rotation)',
    description:
      'The old refresh token stops working. Presenting an already-rotated one is ' +
      'REFRESH_TOKEN_REUSED and revokes the whole session.',
  })
  @ApiOkResponse({ type: TokenPair })
  @ApiErrors('REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'USER_DISABLED')
  refresh(@Body() body: RefreshDto): Promise<TokenPair> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    summary: "Revoke the caller's session on every instance",
    description:
      'Afterwards its access tokens answer SESSION_REVOKED and its refresh token ' +
      'REFRESH_TOKEN_INVALID.',
  })
  @ApiNoContentResponse({ description: 'Logged out' })
  logout(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    return this.auth.logout(caller.sessionId);
  }
}
