import { ACCOUNT_COLUMNS, IDENTITY_COLUMNS } from '../users/users.queries';

/*
 * The auth module's hand-written SQL (see SqlClient for why). SELECT_CALLER and
 * SELECT_REFRESH_TOKEN read the account tables too, through the users module's column lists:
 * a bearer request must cost one round trip, and a refresh must check the account before it
 * spends the token, so the join stays in one statement instead of two modules' two reads.
 */

export const INSERT_SESSION = `INSERT INTO auth_session (id, wx_user_id, created_at, expires_at, ip, user_agent)
  VALUES (?, ?, ?, ?, ?, ?)`;

export const INSERT_REFRESH_TOKEN = `INSERT INTO refresh_token (session_id, token_hash, expires_at, created_at)
  VALUES (?, ?, ?, ?)`;

/** Everything a bearer request needs: the session's state, its identity, the account and all its identities. */
export const SELECT_CALLER = `SELECT s.wx_user_id AS s_identityId, s.revoked_at AS s_revokedAt,
    s.expires_at AS s_expiresAt, ${ACCOUNT_COLUMNS}, ${IDENTITY_COLUMNS}
  FROM auth_session s JOIN wx_user me ON me.id = s.wx_user_id
    JOIN account a ON a.id = me.account_id JOIN wx_user w ON w.account_id = a.id
  WHERE s.id = ?`;

export const SELECT_REFRESH_TOKEN = `SELECT t.id AS tokenId, t.session_id AS sessionId,
    t.expires_at AS tokenExpiresAt, t.rotated_at AS rotatedAt, s.expires_at AS sessionExpiresAt,
    s.revoked_at AS revokedAt, me.account_id AS accountId, a.status AS status
  FROM refresh_token t JOIN auth_session s ON s.id = t.session_id
    JOIN wx_user me ON me.id = s.wx_user_id JOIN account a ON a.id = me.account_id
  WHERE t.token_hash = ?`;

/** Only one of several simultaneous refreshes with one token may win its rotation. */
export const SPEND_REFRESH_TOKEN = `UPDATE refresh_token SET rotated_at = ? WHERE id = ? AND rotated_at IS NULL`;

export const EXTEND_SESSION = `UPDATE auth_session SET expires_at = ?, refreshed_at = ? WHERE id = ?`;

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
