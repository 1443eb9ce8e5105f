import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { AccountSessionsService } from './account-sessions.service';
import type { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { SessionIdParamDto } from './dto/session-id-param.dto';
import { RevokedSessionsSchema, SessionViewSchema } from './dto/sessions.responses';
import type { SessionView } from './session.view';

/** Where the caller's account is logged in, and logging devices out. */
@ApiTags('users')
@Controller('users/me/sessions')
export class SessionsController {
  constructor(private readonly sessions: AccountSessionsService) {}

  @Get()
  @ApiOperation({
    summary: "The account's live sessions (every identity), newest first",
    description:
      'Sessions not revoked and not expired, of every identity of the account; `current` marks the one of this token. Each carries the client IP and user agent of its login and the time of its last refresh.',
  })
  @ApiOkResponse({ type: SessionViewSchema, isArray: true })
  list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionView[]> {
    return this.sessions.list(caller);
  }

  @Delete()
  @ApiOperation({
    summary: 'Revoke every session of the account but the current one',
    description: 'Logs out every other device at once; answers how many sessions it revoked.',
  })
  @ApiOkResponse({ type: RevokedSessionsSchema })
  async revokeOthers(@CurrentUser() caller: AuthenticatedUser): Promise<RevokedSessionsSchema> {
    return { revoked: await this.sessions.revokeOthers(caller) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke one session of the account, the current one included',
    description:
      'Logs out one device. A session of another account, or an unknown id, answers NOT_FOUND (never revealing that it exists).',
  })
  @ApiNoContentResponse({ description: 'Revoked; its tokens stop working on every instance' })
  @ApiErrors('NOT_FOUND')
  revoke(
    @CurrentUser() caller: AuthenticatedUser,
    @Param() params: SessionIdParamDto,
  ): Promise<void> {
    return this.sessions.revoke(caller, params.id);
  }
}
