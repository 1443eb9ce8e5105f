import type { AccountRecord, AccountWithIdentities, IdentityRecord } from './account';

/*
 * The users module's hand-written SQL (see SqlClient for why the hot paths use it). Column
 * lists are aliased with a prefix so that one row can carry an account and an identity;
 * test/users-sql.e2e-spec.ts checks that what they read equals what Prisma's client reads.
 */

export const ACCOUNT_COLUMNS = `a.id AS a_id, a.nickname AS a_nickname, a.avatar_url AS a_avatarUrl,
  a.gender AS a_gender, a.phone AS a_phone, a.phone_country_code AS a_phoneCountryCode,
  a.status AS a_status, a.login_count AS a_loginCount, a.last_login_at AS a_lastLoginAt,
  a.last_login_ip AS a_lastLoginIp, a.created_at AS a_createdAt`;

export const IDENTITY_COLUMNS = `w.id AS w_id, w.account_id AS w_accountId, w.app_id AS w_appId,
  w.openid AS w_openid, w.unionid AS w_unionid, w.session_key_cipher AS w_sessionKeyCipher,
  w.session_key_kid AS w_sessionKeyKid, w.login_count AS w_loginCount,
  w.last_login_at AS w_lastLoginAt, w.last_login_ip AS w_lastLoginIp, w.created_at AS w_createdAt`;

/** Rows of {@link ACCOUNT_COLUMNS} and {@link IDENTITY_COLUMNS}, one per identity. */
export type AccountIdentityRow = Record<string, unknown>;

/* Explicit mappings rather than a loop over the row's keys: they run on every bearer request. */
function toAccount(row: AccountIdentityRow): AccountRecord {
  return {
    id: row.a_id as bigint,
    nickname: row.a_nickname as string | null,
    avatarUrl: row.a_avatarUrl as string | null,
    gender: row.a_gender as number,
    phone: row.a_phone as string | null,
    phoneCountryCode: row.a_phoneCountryCode as string | null,
    status: row.a_status as AccountRecord['status'],
    loginCount: row.a_loginCount as number,
    lastLoginAt: row.a_lastLoginAt as Date | null,
    lastLoginIp: row.a_lastLoginIp as string | null,
    createdAt: row.a_createdAt as Date,
  };
}

function toIdentity(row: AccountIdentityRow): IdentityRecord {
  return {
    id: row.w_id as bigint,
    accountId: row.w_accountId as bigint,
    appId: row.w_appId as string,
    openid: row.w_openid as string,
    unionid: row.w_unionid as string | null,
    sessionKeyCipher: row.w_sessionKeyCipher as string | null,
    sessionKeyKid: row.w_sessionKeyKid as string | null,
    loginCount: row.w_loginCount as number,
    lastLoginAt: row.w_lastLoginAt as Date | null,
    lastLoginIp: row.w_lastLoginIp as string | null,
    createdAt: row.w_createdAt as Date,
  };
}

/**
 * Rows of one account joined with its identities → the account, identities oldest first.
 * Sorted here rather than by ORDER BY: the statements that read them are const lookups plus
 * one index range, and a filesort of those few rows was about a tenth of the database's CPU
 * for a bearer request (measured).
 */
export function toAccountWithIdentities(rows: AccountIdentityRow[]): AccountWithIdentities {
  const identities = rows.map(toIdentity);
  if (identities.length > 1) identities.sort((x, y) => (x.id < y.id ? -1 : 1));
  return { account: toAccount(rows[0]), identities };
}

/** The account of the identity (app, openid), with every identity of that account. */
export const SELECT_ACCOUNT_BY_IDENTITY = `SELECT ${ACCOUNT_COLUMNS}, ${IDENTITY_COLUMNS}
  FROM wx_user me JOIN account a ON a.id = me.account_id JOIN wx_user w ON w.account_id = a.id
  WHERE me.app_id = ? AND me.openid = ?`;

export const SELECT_ACCOUNT = `SELECT ${ACCOUNT_COLUMNS}, ${IDENTITY_COLUMNS}
  FROM account a JOIN wx_user w ON w.account_id = a.id WHERE a.id = ?`;

/**
 * Linking rule 2: the oldest account that already has an identity with this unionid or was
 * created for it. Two index lookups (wx_user_unionid_idx, account_created_for_unionid_key)
 * joined by UNION: an OR across the two would make the optimizer scan the account table.
 */
export const SELECT_ACCOUNT_FOR_UNIONID = `SELECT a.id, a.status FROM account a
    WHERE a.id = (SELECT MIN(u.account_id) FROM wx_user u WHERE u.unionid = ?)
  UNION ALL
  SELECT a.id, a.status FROM account a WHERE a.created_for_unionid = ?
  ORDER BY id LIMIT 1`;

const LOGIN_COUNTERS = `w.login_count = w.login_count + 1, w.last_login_at = ?, w.last_login_ip = ?,
    w.updated_at = ?, a.login_count = a.login_count + 1, a.last_login_at = ?, a.last_login_ip = ?,
    a.updated_at = ?`;
const IDENTITY_REFRESH = `w.unionid = COALESCE(?, w.unionid),
    w.session_key_cipher = COALESCE(?, w.session_key_cipher),
    w.session_key_kid = COALESCE(?, w.session_key_kid),
    w.session_key_updated_at = COALESCE(?, w.session_key_updated_at)`;

/**
 * A returning login, in one statement: the identity's new session key and counters, the
 * account's totals, and the profile the mini-program sent (which replaces what is stored).
 */
export const RECORD_RETURNING_LOGIN = `UPDATE wx_user w JOIN account a ON a.id = w.account_id
  SET ${IDENTITY_REFRESH}, ${LOGIN_COUNTERS},
    a.nickname = COALESCE(?, a.nickname), a.avatar_url = COALESCE(?, a.avatar_url),
    a.gender = COALESCE(?, a.gender)
  WHERE w.id = ?`;

/** The same for a web login, whose WeChat profile only fills what the account lacks. */
export const RECORD_RETURNING_WEB_LOGIN = `UPDATE wx_user w JOIN account a ON a.id = w.account_id
  SET ${IDENTITY_REFRESH}, ${LOGIN_COUNTERS},
    a.nickname = COALESCE(a.nickname, ?), a.avatar_url = COALESCE(a.avatar_url, ?)
  WHERE w.id = ?`;

export const INSERT_ACCOUNT = `INSERT INTO account (created_for_unionid, nickname, avatar_url, gender,
    login_count, last_login_at, last_login_ip, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export const INSERT_IDENTITY = `INSERT INTO wx_user (account_id, app_id, openid, unionid,
    session_key_cipher, session_key_kid, session_key_updated_at, login_count, last_login_at,
    last_login_ip, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** A first login that joined an existing account (linking rule 2) counts on the account. */
export const COUNT_ACCOUNT_LOGIN = `UPDATE account SET login_count = login_count + 1,
    last_login_at = ?, last_login_ip = ?, updated_at = ?,
    nickname = COALESCE(nickname, ?), avatar_url = COALESCE(avatar_url, ?)
  WHERE id = ?`;

export const INSERT_LOGIN_LOG = `INSERT INTO login_log (wx_user_id, at, ip, user_agent, is_new_user)
  VALUES (?, ?, ?, ?, ?)`;

export const UPDATE_PROFILE = `UPDATE account SET nickname = COALESCE(?, nickname),
    avatar_url = COALESCE(?, avatar_url), gender = COALESCE(?, gender), updated_at = ?
  WHERE id = ?`;

export const UPDATE_PHONE = `UPDATE account SET phone = ?, phone_country_code = ?, updated_at = ?
  WHERE id = ?`;

/** Moves an identity between accounts, only if it is still where the caller saw it. */
export const MOVE_IDENTITY = `UPDATE wx_user SET account_id = ?, updated_at = ?
  WHERE id = ? AND account_id = ?`;

/** Deletes an account left without identities (never one that still has some). */
export const DELETE_EMPTY_ACCOUNT = `DELETE FROM account
  WHERE id = ? AND NOT EXISTS (SELECT 1 FROM wx_user u WHERE u.account_id = ?)`;

export const INSERT_EMPTY_ACCOUNT = `INSERT INTO account (created_at, updated_at) VALUES (?, ?)`;

/** The unique keys the linking rule races on (names from schema.prisma). */
export const UNIQUE_KEYS = {
  identity: 'wx_user_app_id_openid_key',
  onePerApp: 'wx_user_account_id_app_id_key',
  accountForUnionid: 'account_created_for_unionid_key',
  phone: 'account_phone_key',
} as const;
