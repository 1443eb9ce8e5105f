import { ApiProperty } from '@nestjs/swagger';
import { IsWechatCode, WECHAT_CODE_PATTERN } from '../../common/validation/validators';

export class BindPhoneDto {
  /** The one-time code of the getPhoneNumber button. */
  @ApiProperty({
    description: 'e.detail.code of <button open-type="getPhoneNumber">; valid 5 minutes, once',
    pattern: WECHAT_CODE_PATTERN.source,
  })
  @IsWechatCode()
  code: string;
}
