import { ApiProperty } from '@nestjs/swagger';
import type { WechatAppType } from '../../config/wechat-apps';
import type { IdentityView, UserView } from '../user.view';

const APP_TYPES: WechatAppType[] = ['miniprogram', 'official_account', 'website'];

export class IdentityViewSchema implements IdentityView {
  @ApiProperty({ example: 'wx1234567890abcdef' }) appId: string;
  @ApiProperty({
    enum: APP_TYPES,
    nullable: true,
    example: 'miniprogram',
    description: 'null for an app that is no longer configured',
  })
  type: WechatAppType | null;
  @ApiProperty({ example: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE' }) openid: string;
  @ApiProperty({ type: String, nullable: true, example: null }) unionid: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastLoginAt: string | null;
}

/** OpenAPI schema of the contract's `user` object; `implements` keeps it in step with UserView. */
export class UserViewSchema implements UserView {
  @ApiProperty({ example: 1, description: 'The account id' }) id: number;
  @ApiProperty({ example: 'wx1234567890abcdef', description: "The session identity's app" })
  appId: string;
  @ApiProperty({ example: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE' }) openid: string;
  @ApiProperty({ type: String, nullable: true, example: null }) unionid: string | null;
  @ApiProperty({ type: String, nullable: true, example: '小明😀' }) nickname: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'https://thirdwx.qlogo.cn/a.png' })
  avatarUrl: string | null;
  @ApiProperty({ enum: [0, 1, 2], example: 1 }) gender: number;
  @ApiProperty({ type: String, nullable: true, example: null }) phone: string | null;
  @ApiProperty({ enum: ['active', 'disabled'], example: 'active' }) status: 'active' | 'disabled';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastLoginAt: string | null;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.9' }) lastLoginIp: string | null;
  @ApiProperty({ example: 1, description: 'Logins of every identity of the account' })
  loginCount: number;
  @ApiProperty({ type: IdentityViewSchema, isArray: true, description: 'Oldest first' })
  identities: IdentityView[];
}
