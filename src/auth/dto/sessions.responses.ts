import { ApiProperty } from '@nestjs/swagger';
import type { SessionView } from '../session.view';

/** OpenAPI schemas of the session routes' answers; `implements` keeps them in step with the code. */
export class SessionViewSchema implements SessionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    example: 'wx1234567890abcdef',
    description: 'The app of the identity that logged in',
  })
  appId: string;
  @ApiProperty({ description: "The session of this request's access token" }) current: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The last refresh-token rotation',
  })
  refreshedAt: string | null;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.9', description: 'At login' })
  ip: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'At login' })
  userAgent: string | null;
}

export class RevokedSessionsSchema {
  @ApiProperty({ example: 2, description: 'How many other sessions were revoked' })
  revoked: number;
}
