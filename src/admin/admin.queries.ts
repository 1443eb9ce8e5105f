/*
 * The admin command's SQL. Every statement names its columns: session_key_cipher and
 * the token_hash of auth_session and refresh_token are never read, so nothing the command
 * prints can hold them.
 */

/** Accounts whose id, phone, or an identity's openid or unionid is the value looked for. */
export const SELECT_MATCHING_ACCOUNT_IDS = `SELECT id FROM account WHERE id = ?
  UNION SELECT id FROM account WHERE phone = ?
  UNION SELECT account_id FROM wx_user WHERE openid = ?
  UNION SELECT account_id FROM wx_user WHERE unionid = ?
  ORDER BY 1 LIMIT ?`;

/**
 * `n` placeholders for an id list: statements run prepared (SqlClient), and a prepared
 * statement binds one value per `?`, so a list cannot be passed as one parameter.
 */
const idList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export const selectAccounts = (
  n: number,
): string => `SELECT id, status, nickname, avatar_url AS avatarUrl, gender, phone,
    phone_country_code AS phoneCountryCode, login_count AS loginCount,
    last_login_at AS lastLoginAt, last_login_ip AS lastLoginIp, created_at AS createdAt
  FROM account WHERE id IN (${idList(n)}) ORDER BY id`;

export const selectIdentities = (
  n: number,
): string => `SELECT account_id AS accountId, app_id AS appId, openid, unionid,
    login_count AS loginCount, last_login_at AS lastLoginAt, created_at AS createdAt
  FROM wx_user WHERE account_id IN (${idList(n)}) ORDER BY id`;

export const countLiveSessions = (
  n: number,
): string => `SELECT w.account_id AS accountId, COUNT(*) AS sessions
  FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
  WHERE w.account_id IN (${idList(n)}) AND s.revoked_at IS NULL AND s.expires_at > ?
  GROUP BY w.account_id`;

export const selectAudit = (
  n: number,
): string => `SELECT account_id AS accountId, at, actor, action, reason
  FROM audit_log WHERE account_id IN (${idList(n)}) ORDER BY at DESC, id DESC`;

/** Locks the account row, so a concurrent change waits and its audit row follows this one. */
export const LOCK_ACCOUNT = `SELECT status FROM account WHERE id = ? FOR UPDATE`;

export const SET_STATUS = `UPDATE account SET status = ?, updated_at = ? WHERE id = ?`;

/** What a deletion takes with it, for the report. */
export const COUNT_OWNED_ROWS = `SELECT
    (SELECT COUNT(*) FROM wx_user WHERE account_id = ?) AS identities,
    (SELECT COUNT(*) FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
      WHERE w.account_id = ?) AS sessions,
    (SELECT COUNT(*) FROM login_log l JOIN wx_user w ON w.id = l.wx_user_id
      WHERE w.account_id = ?) AS logins`;
