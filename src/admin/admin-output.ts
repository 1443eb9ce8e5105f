import type { ChangeOutcome } from './account-changes';
import type { FoundAccount } from './account-search';

/*
 * What the admin command prints on stdout: a few aligned lines per account for people, or
 * JSON for scripts (`--json`). Times are ISO 8601 in UTC, as the database holds them.
 */

/** `find`'s answer for people: one block per account, a blank line between blocks. */
export function describeAccounts(accounts: FoundAccount[]): string {
  const blocks = accounts.map(describeAccount);
  const heading = accounts.length > 1 ? [`${accounts.length} accounts match`, ''] : [];
  return [...heading, blocks.join('\n\n')].join('\n');
}

function describeAccount(account: FoundAccount): string {
  const phone = account.phone
    ? `${account.phoneCountryCode ? `+${account.phoneCountryCode} ` : ''}${account.phone}`
    : '-';
  const lastLogin = account.lastLoginAt
    ? `, last ${iso(account.lastLoginAt)}${account.lastLoginIp ? ` from ${account.lastLoginIp}` : ''}`
    : '';
  const lines = [
    `account ${account.id}  ${account.status}  created ${iso(account.createdAt)}  (matched by ${account.matchedBy.join(', ')})`,
    `  nickname  ${account.nickname ?? '-'}`,
    `  avatar    ${account.avatarUrl ?? '-'}`,
    `  phone     ${phone}`,
    `  logins    ${account.loginCount}${lastLogin}`,
    `  sessions  ${account.liveSessions} live` +
      (account.status === 'disabled' && account.liveSessions > 0
        ? ' (refused while disabled)'
        : ''),
    ...account.identities.map(
      (identity) =>
        `  identity  ${identity.appId}  openid ${identity.openid}  unionid ${identity.unionid ?? '-'}  ` +
        `${plural(identity.loginCount, 'login')}` +
        (identity.lastLoginAt ? `, last ${iso(identity.lastLoginAt)}` : ''),
    ),
    ...account.audit.map(
      (entry) =>
        `  audit     ${iso(entry.at)}  ${entry.action} by ${entry.actor}` +
        (entry.reason ? `: ${entry.reason}` : ''),
    ),
  ];
  return lines.join('\n');
}

/** What a change did, in one line. */
export function describeChange(accountId: bigint, outcome: ChangeOutcome): string {
  if (!outcome.found) return `no account ${accountId}`;
  switch (outcome.command) {
    case 'disable':
      return outcome.changed
        ? `disabled account ${accountId}: its sessions are refused from now on`
        : `account ${accountId} was already disabled; nothing changed`;
    case 'enable':
      return outcome.changed
        ? `enabled account ${accountId}: its sessions that have not expired work again`
        : `account ${accountId} was already active; nothing changed`;
    case 'revoke-sessions':
      return outcome.changed
        ? `revoked ${plural(outcome.revokedSessions, 'session')} of account ${accountId}`
        : `account ${accountId} has no live session; nothing changed`;
    case 'delete': {
      const { identities, sessions, logins } = outcome.removed;
      return (
        `deleted account ${accountId} with ${plural(identities, 'identity', 'identities')}, ` +
        `${plural(sessions, 'session')} and ${plural(logins, 'login')}`
      );
    }
  }
}

/** JSON for scripts: bigint ids as numbers (as the HTTP API answers them), Dates as ISO strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) =>
      typeof item === 'bigint'
        ? item <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(item)
          : String(item)
        : item,
    2,
  );
}

function iso(date: Date): string {
  return date.toISOString();
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
