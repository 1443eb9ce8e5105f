import { ApiProperty } from '@nestjs/swagger';
import { IsWechatCode, WECHAT_CODE_PATTERN } from '../../common/validation/validators';

export class BindPhoneDto {
  /** The one-time code of the getPhoneNumber button. */
  @ApiProperty({
    description: 'e.detail.code of <button open-type="getPhoneNumber">; valid 5 minutes, once',
    pattern: WECHAT_CODE_PATTERN.source,
    example: 'e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144',
  })
  @IsWechatCode()
  code: string;
}
