import { ApiProperty } from '@nestjs/swagger';
import { UserViewSchema } from '../../users/dto/user-view.schema';
import type { UserView } from '../../users/user.view';

export class TokenPair {
  @ApiProperty({
    description: 'JWT (HS256, ES256 or EdDSA: JWT_ALGORITHM) for the Authorization: Bearer header',
  })
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires', example: 7200 })
  expiresIn: number;

  @ApiProperty({ description: 'Exchange at POST /auth/refresh; each use rotates it' })
  refreshToken: string;

  @ApiProperty({ description: 'Seconds until the refresh token expires', example: 2592000 })
  refreshExpiresIn: number;
}

export class LoginResult extends TokenPair {
  @ApiProperty({ description: 'True on the first login of this WeChat user' })
  isNewUser: boolean;

  @ApiProperty({ type: UserViewSchema })
  user: UserView;
}
