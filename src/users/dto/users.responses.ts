import { ApiProperty } from '@nestjs/swagger';
import type { WechatPhoneNumber } from '../../wechat/wechat-phone.service';
import type { LoginView } from '../login.view';

/** OpenAPI schemas of the users routes' answers; `implements` keeps them in step with the code. */
export class PhoneNumberSchema implements WechatPhoneNumber {
  @ApiProperty({
    description: 'As WeChat gives it: bare for +86, else with + and country code',
    example: '13800138000',
  })
  phoneNumber: string;
  @ApiProperty({ example: '13800138000' }) purePhoneNumber: string;
  @ApiProperty({ example: '86' }) countryCode: string;
}

export class LoginViewSchema implements LoginView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    example: 'wx1234567890abcdef',
    description: 'The app of the identity that logged in',
  })
  appId: string;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.9' }) ip: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent: string | null;
  @ApiProperty() isNewUser: boolean;
}

export class DecryptedDataSchema {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The decrypted JSON, watermark included',
    example: {
      openGId: 'tG0b…',
      watermark: { appid: 'wx4f4bc4dec97d474b', timestamp: 1477314187 },
    },
  })
  data: Record<string, unknown>;
}
