import type { SqlClient } from '../prisma/sql-client';
import { applyChange } from './account-changes';
import { findAccounts } from './account-search';
import { ADMIN_USAGE, AdminRequest } from './admin-arguments';
import { describeAccounts, describeChange, toJson } from './admin-output';

/** What the process prints and how it exits: 0 done, 1 no such account. */
export interface AdminResult {
  exitCode: 0 | 1;
  stdout?: string;
  stderr?: string;
}

/** Runs a parsed request on the database; database errors propagate to the caller. */
export async function runAdminRequest(
  request: AdminRequest,
  sql: SqlClient,
  actor: string,
): Promise<AdminResult> {
  if (request.command === 'help') return { exitCode: 0, stdout: ADMIN_USAGE };

  if (request.command === 'find') {
    const accounts = await findAccounts(sql, request.query);
    if (accounts.length === 0) {
      return {
        exitCode: 1,
        ...(request.json && { stdout: '[]' }),
        stderr: `no account matches "${request.query}" (as an account id, openid, unionid or phone)`,
      };
    }
    return { exitCode: 0, stdout: request.json ? toJson(accounts) : describeAccounts(accounts) };
  }

  const { accountId, reason } = request;
  const outcome = await applyChange(sql, { command: request.command, accountId, reason, actor });
  const line = describeChange(accountId, outcome);
  if (!outcome.found) return { exitCode: 1, stderr: line };
  return {
    exitCode: 0,
    stdout: request.json ? toJson({ accountId, actor, reason: reason ?? null, ...outcome }) : line,
  };
}
