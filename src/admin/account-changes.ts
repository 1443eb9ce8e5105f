import { recordAudit } from '../audit/audit-log';
import { REVOKE_ACCOUNT_SESSIONS } from '../auth/sessions.queries';
import type { SqlClient, SqlExecutor } from '../prisma/sql-client';
import { deleteAccount } from '../users/account-deletion';
import type { ChangeCommand } from './admin-arguments';
import { COUNT_OWNED_ROWS, LOCK_ACCOUNT, SET_STATUS } from './admin.queries';

export interface ChangeRequest {
  command: ChangeCommand;
  accountId: bigint;
  reason: string | undefined;
  actor: string;
}

/**
 * What a command did. `changed: false` means the account was already as asked (disabling a
 * disabled account, revoking when no session is live): nothing was written, no audit row.
 */
export type ChangeOutcome =
  | { found: false }
  | { found: true; changed: boolean; command: 'disable' | 'enable' }
  | { found: true; changed: boolean; command: 'revoke-sessions'; revokedSessions: number }
  | {
      found: true;
      changed: true;
      command: 'delete';
      removed: { identities: number; sessions: number; logins: number };
    };

type Audit = { actor: string; reason?: string };

/** Runs one change; the change and its audit_log row commit together or not at all. */
export function applyChange(sql: SqlClient, request: ChangeRequest): Promise<ChangeOutcome> {
  const audit: Audit = { actor: request.actor, reason: request.reason };
  switch (request.command) {
    case 'disable':
      return setStatus(sql, request.accountId, 'disabled', audit);
    case 'enable':
      return setStatus(sql, request.accountId, 'active', audit);
    case 'revoke-sessions':
      return revokeSessions(sql, request.accountId, audit);
    case 'delete':
      return remove(sql, request.accountId, audit);
  }
}

/*
 * The service reads account.status on every bearer request, refresh and login, so the status
 * change alone cuts (or restores) the account's sessions at once: no token cache to wait for.
 */
function setStatus(
  sql: SqlClient,
  accountId: bigint,
  status: 'active' | 'disabled',
  audit: Audit,
): Promise<ChangeOutcome> {
  const command = status === 'disabled' ? 'disable' : 'enable';
  return sql.transaction(async (tx) => {
    const current = await lockAccount(tx, accountId);
    if (current === undefined) return { found: false };
    if (current === status) return { found: true, changed: false, command };
    await tx.query(SET_STATUS, [status, new Date(), accountId]);
    await recordAudit(tx, { ...audit, action: command, accountId });
    return { found: true, changed: true, command };
  });
}

function revokeSessions(sql: SqlClient, accountId: bigint, audit: Audit): Promise<ChangeOutcome> {
  return sql.transaction(async (tx) => {
    if ((await lockAccount(tx, accountId)) === undefined) return { found: false };
    const now = new Date();
    const result = await tx.query<{ affectedRows: number }>(REVOKE_ACCOUNT_SESSIONS, [
      now,
      'admin',
      accountId,
      now,
    ]);
    const revokedSessions = result.affectedRows;
    if (revokedSessions > 0) {
      await recordAudit(tx, { ...audit, action: 'revoke-sessions', accountId });
    }
    return {
      found: true,
      changed: revokedSessions > 0,
      command: 'revoke-sessions',
      revokedSessions,
    };
  });
}

async function remove(sql: SqlClient, accountId: bigint, audit: Audit): Promise<ChangeOutcome> {
  // Counted just before, for the report only: the deletion itself is deleteAccount's one transaction.
  const [counts] = await sql.query<Array<Record<'identities' | 'sessions' | 'logins', bigint>>>(
    COUNT_OWNED_ROWS,
    [accountId, accountId, accountId],
  );
  if (!(await deleteAccount(sql, accountId, audit))) return { found: false };
  return {
    found: true,
    changed: true,
    command: 'delete',
    removed: {
      identities: Number(counts.identities),
      sessions: Number(counts.sessions),
      logins: Number(counts.logins),
    },
  };
}

async function lockAccount(
  tx: SqlExecutor,
  accountId: bigint,
): Promise<'active' | 'disabled' | undefined> {
  const [row] = await tx.query<Array<{ status: 'active' | 'disabled' }>>(LOCK_ACCOUNT, [accountId]);
  return row?.status;
}
