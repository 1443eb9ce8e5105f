import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { DecryptDataDto } from './dto/decrypt-data.dto';
import { DecryptedDataSchema } from './dto/users.responses';
import { UsersService } from './users.service';

/**
 * POST /wechat/decrypt. It lives in the users module because it needs the caller's stored
 * session key, which only this module may open; the WeChat module stays free of user data.
 */
@ApiTags('wechat')
@Controller('wechat')
export class WechatDataController {
  constructor(private readonly users: UsersService) {}

  @Post('decrypt')
  @HttpCode(200)
  @ApiOperation({
    summary: "Decrypt WeChat's encryptedData with the session identity's stored session key",
    description:
      'AES-128-CBC with PKCS#7 padding; the plaintext must be JSON whose `watermark.appid` is ' +
      "the session app's id. Bad base64, wrong key or iv length, bad padding, non-JSON plaintext, " +
      'a foreign watermark, or a web identity (no session key) is WECHAT_DECRYPT_FAILED.',
  })
  @ApiOkResponse({ type: DecryptedDataSchema })
  @ApiErrors('WECHAT_DECRYPT_FAILED')
  decrypt(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: DecryptDataDto,
  ): { data: Record<string, unknown> } {
    return { data: this.users.decryptData(caller.identity, body) };
  }
}
