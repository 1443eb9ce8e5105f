import { ACCOUNT_COLUMNS, IDENTITY_COLUMNS } from '../users/users.queries';

/*
 * The auth module's hand-written SQL (see SqlClient for why). SELECT_CALLER and
 * SELECT_SESSION_BY_TOKEN read the account tables too, through the users module's column lists:
 * a bearer request must cost one round trip, and a refresh must check the account before it
 * spends the token, so the join stays in one statement instead of two modules' two reads.
 */

/** A session starts with its first refresh token's hash on its own row: one statement per login. */
export const INSERT_SESSION = `INSERT INTO auth_session (id, wx_user_id, token_hash, created_at, expires_at, ip, user_agent)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/**
 * Everything a bearer request needs: the session's state and identity, and the token's account
 * (`sub`) with all its identities. The account is looked up by the token's claim rather than
 * through the session's identity: the caller checks that this identity is among the account's,
 * which is the same rule, and two tables read by primary key plus one by index cost the
 * database about a quarter less than four (measured in README, Performance).
 */
export const SELECT_CALLER = `SELECT s.wx_user_id AS s_identityId, s.revoked_at AS s_revokedAt,
    s.expires_at AS s_expiresAt, ${ACCOUNT_COLUMNS}, ${IDENTITY_COLUMNS}
  FROM auth_session s CROSS JOIN account a JOIN wx_user w ON w.account_id = a.id
  WHERE s.id = ? AND a.id = ?`;

/** The session whose current refresh token this is, with what a refresh must check. */
export const SELECT_SESSION_BY_TOKEN = `SELECT s.id AS sessionId, s.expires_at AS expiresAt,
    COALESCE(s.refreshed_at, s.created_at) AS issuedAt, s.revoked_at AS revokedAt,
    me.account_id AS accountId, a.status AS status
  FROM auth_session s JOIN wx_user me ON me.id = s.wx_user_id JOIN account a ON a.id = me.account_id
  WHERE s.token_hash = ?`;

/** A spent refresh token: presented again, it is a replay (unless it or its session is over). */
export const SELECT_SPENT_TOKEN = `SELECT t.session_id AS sessionId, t.expires_at AS tokenExpiresAt,
    s.expires_at AS sessionExpiresAt, s.revoked_at AS revokedAt
  FROM refresh_token t JOIN auth_session s ON s.id = t.session_id
  WHERE t.token_hash = ?`;

/**
 * Replaces the session's current token and extends the session. Only one of several
 * simultaneous refreshes with one token changes the row; the others change none.
 */
export const ROTATE_SESSION_TOKEN = `UPDATE auth_session SET token_hash = ?, expires_at = ?, refreshed_at = ?
  WHERE id = ? AND token_hash = ? AND revoked_at IS NULL`;

export const INSERT_SPENT_TOKEN = `INSERT INTO refresh_token (session_id, token_hash, expires_at, rotated_at, created_at)
  VALUES (?, ?, ?, ?, ?)`;

export const REVOKE_SESSION = `UPDATE auth_session SET revoked_at = ?, revoke_reason = ?
  WHERE id = ? AND revoked_at IS NULL`;

export const REVOKE_IDENTITY_SESSIONS = `UPDATE auth_session SET revoked_at = ?, revoke_reason = ?
  WHERE wx_user_id = ? AND revoked_at IS NULL`;

/*
 * The session routes of the caller's account. A session is live while it is neither revoked nor
 * expired; these statements read and end live ones only.
 */

/** The account's live sessions, newest first (ties by id, so the order is stable). */
export const SELECT_LIVE_SESSIONS = `SELECT s.id, w.app_id AS appId, s.created_at AS createdAt,
    s.refreshed_at AS refreshedAt, s.expires_at AS expiresAt, s.ip, s.user_agent AS userAgent
  FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
  WHERE w.account_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?
  ORDER BY s.created_at DESC, s.id DESC`;

/**
 * Ends one live session of the account. Another account's session and an unknown id take the
 * same statement and change no row, so the answer cannot tell them apart.
 */
export const REVOKE_ACCOUNT_SESSION = `UPDATE auth_session s JOIN wx_user w ON w.id = s.wx_user_id
  SET s.revoked_at = ?, s.revoke_reason = ?
  WHERE s.id = ? AND w.account_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?`;

/** Ends every live session of every identity of the account (also the admin command's). */
export const REVOKE_ACCOUNT_SESSIONS = `UPDATE auth_session s JOIN wx_user w ON w.id = s.wx_user_id
  SET s.revoked_at = ?, s.revoke_reason = ?
  WHERE w.account_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?`;

/** Ends every live session of the account but one (the caller's). */
export const REVOKE_OTHER_SESSIONS = `${REVOKE_ACCOUNT_SESSIONS} AND s.id <> ?`;
