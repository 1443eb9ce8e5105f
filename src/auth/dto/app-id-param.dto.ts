import { ApiProperty } from '@nestjs/swagger';
import { IsAppId } from '../../common/validation/validators';

export class AppIdParamDto {
  @ApiProperty({ example: 'wx1234567890abcdef' })
  @IsAppId()
  appId: string;
}
