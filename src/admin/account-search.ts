import type { SqlExecutor } from '../prisma/sql-client';
import {
  countLiveSessions,
  SELECT_MATCHING_ACCOUNT_IDS,
  selectAccounts,
  selectAudit,
  selectIdentities,
} from './admin.queries';

/** What `find` shows of one account: the person as an admin needs to see them, no secret. */
export interface FoundAccount {
  id: bigint;
  /** Which of the value's readings matched: the account id, the phone, an openid, a unionid. */
  matchedBy: Array<'id' | 'phone' | 'openid' | 'unionid'>;
  status: 'active' | 'disabled';
  nickname: string | null;
  avatarUrl: string | null;
  gender: number;
  phone: string | null;
  phoneCountryCode: string | null;
  loginCount: number;
  lastLoginAt: Date | null;
  lastLoginIp: string | null;
  createdAt: Date;
  liveSessions: number;
  identities: FoundIdentity[];
  /** Newest first. */
  audit: AuditRow[];
}

export interface FoundIdentity {
  appId: string;
  openid: string;
  unionid: string | null;
  loginCount: number;
  lastLoginAt: Date | null;
  createdAt: Date;
}

export interface AuditRow {
  at: Date;
  actor: string;
  action: string;
  reason: string | null;
}

/**
 * A unionid can name several accounts (an unlinked identity keeps it), so a search answers a
 * list; more than this many means the value was not specific enough to act on anyway.
 */
export const MAX_MATCHES = 20;

type AccountRow = Omit<FoundAccount, 'matchedBy' | 'liveSessions' | 'identities' | 'audit'>;
type Owned<T> = T & { accountId: bigint };

/** The accounts whose id, phone, or an identity's openid or unionid equals `query`, by id. */
export async function findAccounts(sql: SqlExecutor, query: string): Promise<FoundAccount[]> {
  const asId = /^[1-9]\d{0,19}$/.test(query) ? query : null;
  const ids = (
    await sql.query<Array<{ id: bigint }>>(SELECT_MATCHING_ACCOUNT_IDS, [
      asId,
      query,
      query,
      query,
      MAX_MATCHES,
    ])
  ).map((row) => row.id);
  if (ids.length === 0) return [];

  const [accounts, identities, sessions, audit] = await Promise.all([
    sql.query<AccountRow[]>(selectAccounts(ids.length), ids),
    sql.query<Array<Owned<FoundIdentity>>>(selectIdentities(ids.length), ids),
    sql.query<Array<{ accountId: bigint; sessions: bigint }>>(countLiveSessions(ids.length), [
      ...ids,
      new Date(),
    ]),
    sql.query<Array<Owned<AuditRow>>>(selectAudit(ids.length), ids),
  ]);
  const owned = <T extends { accountId: bigint }>(rows: T[], id: bigint) =>
    rows.filter((row) => row.accountId === id).map(({ accountId: _owner, ...rest }) => rest);

  return accounts.map((account) => {
    const own = owned(identities, account.id);
    const matchedBy: FoundAccount['matchedBy'] = [];
    if (String(account.id) === asId) matchedBy.push('id');
    if (account.phone === query) matchedBy.push('phone');
    if (own.some((identity) => identity.openid === query)) matchedBy.push('openid');
    if (own.some((identity) => identity.unionid === query)) matchedBy.push('unionid');
    return {
      ...account,
      id: account.id,
      matchedBy,
      liveSessions: Number(sessions.find((row) => row.accountId === account.id)?.sessions ?? 0),
      identities: own,
      audit: owned(audit, account.id),
    };
  });
}
