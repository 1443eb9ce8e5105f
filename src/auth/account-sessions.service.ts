import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { SqlClient } from '../prisma/sql-client';
import type { AuthenticatedUser } from './authenticated-user';
import {
  toSessionView,
  type RevokeReason,
  type SessionRow,
  type SessionView,
} from './session.view';
import {
  REVOKE_ACCOUNT_SESSION,
  REVOKE_OTHER_SESSIONS,
  SELECT_LIVE_SESSIONS,
} from './sessions.queries';

/** Session ids are UUIDs (SessionService.start); anything else cannot name a session. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The person ended it from their list of sessions. */
const BY_USER: RevokeReason = 'user';

const notFound = () => new ApiException('NOT_FOUND', 'No live session of this account has that id');

/**
 * The caller's view of the account's sessions: where it is logged in, and logging a device out.
 * The person revokes (reason `user`); every instance sees it at the next request.
 */
@Injectable()
export class AccountSessionsService {
  constructor(private readonly sql: SqlClient) {}

  async list(caller: AuthenticatedUser): Promise<SessionView[]> {
    const rows: SessionRow[] = await this.sql.query(SELECT_LIVE_SESSIONS, [
      caller.accountId,
      new Date(),
    ]);
    return rows.map((row) => toSessionView(row, caller.sessionId));
  }

  /**
   * Ends one live session of the account, the caller's own included. An unknown id, another
   * account's session and one already ended all answer NOT_FOUND: nobody learns that a
   * session of someone else exists.
   */
  async revoke(caller: AuthenticatedUser, sessionId: string): Promise<void> {
    if (!SESSION_ID.test(sessionId)) throw notFound();
    const now = new Date();
    const result: { affectedRows: number } = await this.sql.query(REVOKE_ACCOUNT_SESSION, [
      ...[now, BY_USER, sessionId],
      ...[caller.accountId, now],
    ]);
    if (result.affectedRows !== 1) throw notFound();
  }

  /** Ends every live session of the account but the caller's; answers how many. */
  async revokeOthers(caller: AuthenticatedUser): Promise<number> {
    const now = new Date();
    const result: { affectedRows: number } = await this.sql.query(REVOKE_OTHER_SESSIONS, [
      ...[now, BY_USER, caller.accountId],
      ...[now, caller.sessionId],
    ]);
    return result.affectedRows;
  }
}
