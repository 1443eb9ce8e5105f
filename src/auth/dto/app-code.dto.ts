import { ApiProperty } from '@nestjs/swagger';
import { IsAppId, IsWechatCode } from '../../common/validation/validators';

/** A code issued by WeChat for one of the configured apps (web login, linking an identity). */
export class AppCodeDto {
  @ApiProperty({
    description: 'A configured app (WECHAT_APP_ID or an entry of WECHAT_APPS)',
    example: 'wx1234567890abcdef',
  })
  @IsAppId()
  appId: string;

  @ApiProperty({
    description:
      "The app's one-time code: wx.login() for a mini-program, the OAuth redirect's code for a web app",
    example: '0a3Xyz1w3ZbXyS0Wq1Iw3NQ0mR1Xyz1P',
  })
  @IsWechatCode()
  code: string;
}
