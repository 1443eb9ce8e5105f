import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/**
 * What wx.getPhoneNumber, wx.getWeRunData & co. hand the mini-program. Their content is
 * judged by the decryption (WECHAT_DECRYPT_FAILED), not here; only their presence and type.
 */
export class DecryptDataDto {
  @ApiProperty({ description: 'encryptedData from WeChat, base64' })
  @IsString()
  encryptedData: string;

  @ApiProperty({
    description: 'iv from WeChat, base64 of 16 bytes',
    example: 'r7BXXKkLb8qrSNn05n0qiA==',
  })
  @IsString()
  iv: string;
}
