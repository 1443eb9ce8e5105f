import { recordAudit } from '../audit/audit-log';
import type { SqlClient } from '../prisma/sql-client';

/*
 * Deleting an account removes every row that holds the person's data in one statement: the
 * foreign keys cascade from account to its identities (wx_user), their sessions, refresh tokens
 * and logins. The audit row and the delete commit together or not at all, so a database failure
 * midway leaves the account whole.
 */
const DELETE_ACCOUNT = 'DELETE FROM account WHERE id = ?';

/** Deletes the account and everything it owns; false when there is no such account. */
export async function deleteAccount(
  sql: SqlClient,
  accountId: bigint,
  audit: { actor: string; reason?: string },
): Promise<boolean> {
  return sql.transaction(async (tx) => {
    const result: { affectedRows: number } = await tx.query(DELETE_ACCOUNT, [accountId]);
    if (result.affectedRows === 0) return false;
    await recordAudit(tx, { ...audit, action: 'delete', accountId });
    return true;
  });
}
