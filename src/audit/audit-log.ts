import type { SqlExecutor } from '../prisma/sql-client';

/** What changed an account: the admin command's names, and `delete` for a self-service deletion too. */
export type AuditAction = 'disable' | 'enable' | 'revoke-sessions' | 'delete';

export interface AuditEntry {
  /** ADMIN_ACTOR or the OS user for the admin command; `self` when the person acted. */
  actor: string;
  action: AuditAction;
  accountId: bigint;
  reason?: string;
}

const INSERT_AUDIT = `INSERT INTO audit_log (at, actor, action, account_id, reason) VALUES (?, ?, ?, ?, ?)`;

/** One audit_log row, written with the caller's executor so it commits with the change itself. */
export async function recordAudit(sql: SqlExecutor, entry: AuditEntry): Promise<void> {
  await sql.query(INSERT_AUDIT, [
    new Date(),
    entry.actor.slice(0, 64),
    entry.action,
    entry.accountId,
    entry.reason?.slice(0, 255) ?? null,
  ]);
}
