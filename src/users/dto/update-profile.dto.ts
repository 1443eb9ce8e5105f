import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { IsAvatarUrl, IsGender, IsNickname } from '../../common/validation/validators';

/**
 * What WeChat's avatar and nickname fill-in components produce. Each field may be left out,
 * but not sent as null: there is no "clear my nickname".
 */
export class UpdateProfileDto {
  @ApiPropertyOptional({
    description: '1-64 characters (code points; emoji allowed)',
    example: '小明😀',
  })
  @ValidateIf((body: UpdateProfileDto) => body.nickname !== undefined)
  @IsNickname()
  nickname?: string;

  @ApiPropertyOptional({
    format: 'uri',
    maxLength: 512,
    description: 'http(s) URL of the uploaded avatar',
  })
  @ValidateIf((body: UpdateProfileDto) => body.avatarUrl !== undefined)
  @IsAvatarUrl()
  avatarUrl?: string;

  @ApiPropertyOptional({ enum: [0, 1, 2], description: '0 unknown, 1 male, 2 female' })
  @ValidateIf((body: UpdateProfileDto) => body.gender !== undefined)
  @IsGender()
  gender?: number;
}
