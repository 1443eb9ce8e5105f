import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/**
 * What wx.getPhoneNumber, wx.getWeRunData & co. hand the mini-program. Their content is
 * judged by the decryption (WECHAT_DECRYPT_FAILED), not here; only their presence and type.
 */
export class DecryptDataDto {
  @ApiProperty({
    description: 'encryptedData from WeChat, base64',
    example:
      'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
  })
  @IsString()
  encryptedData: string;

  @ApiProperty({
    description: 'iv from WeChat, base64 of 16 bytes',
    example: 'r7BXXKkLb8qrSNn05n0qiA==',
  })
  @IsString()
  iv: string;
}
