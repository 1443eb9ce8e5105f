import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  IsAvatarUrl,
  IsGender,
  IsNickname,
  IsWechatCode,
  WECHAT_CODE_PATTERN,
} from '../../common/validation/validators';

/** The profile a user chose to share (wx.getUserInfo's shape); unknown fields are refused. */
export class WechatUserInfoDto {
  @ApiPropertyOptional({
    description: '1-64 characters (code points; emoji allowed)',
    example: '小明😀',
  })
  @IsOptional()
  @IsNickname()
  nickName?: string;

  @ApiPropertyOptional({
    format: 'uri',
    maxLength: 512,
    example: 'https://thirdwx.qlogo.cn/mmopen/vi_32/a.png',
  })
  @IsOptional()
  @IsAvatarUrl()
  avatarUrl?: string;

  @ApiPropertyOptional({ enum: [0, 1, 2], description: '0 unknown, 1 male, 2 female', example: 1 })
  @IsOptional()
  @IsGender()
  gender?: number;

  // WeChat's other profile fields: accepted and ignored.
  @ApiPropertyOptional({ maxLength: 64, description: 'accepted and ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  country?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'accepted and ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  province?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'accepted and ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  city?: string;

  @ApiPropertyOptional({ maxLength: 64, description: 'accepted and ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  language?: string;
}

export class WechatLoginDto {
  /** The one-time code of wx.login(). */
  @ApiProperty({
    description: 'The one-time code of wx.login(); 1-128 printable ASCII characters, no spaces',
    pattern: WECHAT_CODE_PATTERN.source,
    example: '0a3Xyz1w3ZbXyS0Wq1Iw3NQ0mR1Xyz1P',
  })
  @IsWechatCode()
  code: string;

  @ApiPropertyOptional({ type: WechatUserInfoDto, description: 'Profile the user chose to share' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WechatUserInfoDto)
  userInfo?: WechatUserInfoDto;

  /** WeChat's signed profile JSON; comes with `signature`. */
  @ApiPropertyOptional({
    description:
      "WeChat's signed profile JSON; comes with signature and, when verified, wins over userInfo",
    maxLength: 8192,
  })
  @ValidateIf((body: WechatLoginDto) => body.rawData !== undefined || body.signature !== undefined)
  @IsString({ message: 'rawData must be a string and comes together with signature' })
  @MaxLength(8192)
  rawData?: string;

  /** sha1(rawData + session_key), 40 hex characters; comes with `rawData`. */
  @ApiPropertyOptional({
    description: 'sha1(rawData + session_key), 40 hex characters',
    pattern: '^[0-9a-fA-F]{40}$',
  })
  @ValidateIf((body: WechatLoginDto) => body.rawData !== undefined || body.signature !== undefined)
  @IsString({ message: 'signature must be a string and comes together with rawData' })
  @Matches(/^[0-9a-fA-F]{40}$/, { message: 'signature must be 40 hexadecimal characters' })
  signature?: string;
}
