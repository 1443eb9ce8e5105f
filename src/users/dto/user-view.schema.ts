import { ApiProperty } from '@nestjs/swagger';
import type { UserView } from '../user.view';

/** OpenAPI schema of the contract's `user` object; `implements` keeps it in step with UserView. */
export class UserViewSchema implements UserView {
  @ApiProperty({ example: 1 }) id: number;
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
  @ApiProperty({ example: 1 }) loginCount: number;
}
