import { ApiProperty } from '@nestjs/swagger';
import { SessionViewSchema } from '../../auth/dto/sessions.responses';
import { REVOKE_REASONS } from '../../auth/session.view';
import type {
  AccountExport,
  ExportedAccount,
  ExportedIdentity,
  ExportedSession,
} from '../account-export';
import type { LoginView } from '../login.view';
import { LoginViewSchema } from './users.responses';
import { IdentityViewSchema } from './user-view.schema';

/** OpenAPI schemas of GET /users/me/export; `implements` keeps them in step with the code. */
export class ExportedAccountSchema implements ExportedAccount {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ type: String, nullable: true, example: '小明😀' }) nickname: string | null;
  @ApiProperty({ type: String, nullable: true }) avatarUrl: string | null;
  @ApiProperty({ enum: [0, 1, 2], example: 1 }) gender: number;
  @ApiProperty({ type: String, nullable: true, example: '13800138000' }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, example: '86' }) phoneCountryCode: string | null;
  @ApiProperty({ enum: ['active', 'disabled'] }) status: 'active' | 'disabled';
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The unionid whose first login created the account',
  })
  createdForUnionid: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastLoginAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastLoginIp: string | null;
  @ApiProperty() loginCount: number;
}

export class ExportedIdentitySchema extends IdentityViewSchema implements ExportedIdentity {
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, nullable: true }) lastLoginIp: string | null;
  @ApiProperty() loginCount: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When WeChat last gave a session key (the key itself is never exported)',
  })
  sessionKeyUpdatedAt: string | null;
}

export class ExportedSessionSchema extends SessionViewSchema implements ExportedSession {
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    // OpenAPI 3.0: a nullable enum lists null among its values.
    enum: [...REVOKE_REASONS, null],
    description: 'Why the session ended; null while it is live',
  })
  revokeReason: string | null;
}

export class AccountExportSchema implements AccountExport {
  @ApiProperty({ type: ExportedAccountSchema }) account: ExportedAccount;
  @ApiProperty({ type: ExportedIdentitySchema, isArray: true, description: 'Oldest first' })
  identities: ExportedIdentity[];
  @ApiProperty({
    type: ExportedSessionSchema,
    isArray: true,
    description: 'Every session, ended ones included, newest first',
  })
  sessions: ExportedSession[];
  @ApiProperty({ type: LoginViewSchema, isArray: true, description: 'Every login, newest first' })
  logins: LoginView[];
}
