/** Why a session ended (auth_session.revoke_reason). */
export const REVOKE_REASONS = [
  'logout',
  'reuse',
  'user',
  'link',
  'unlink',
  'admin',
  'deleted',
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** One entry of GET /users/me/sessions. */
export interface SessionView {
  id: string;
  /** The app of the identity that logged in. */
  appId: string;
  /** The session of the request's own access token. */
  current: boolean;
  createdAt: string;
  /** The last refresh-token rotation; null until the first. */
  refreshedAt: string | null;
  expiresAt: string;
  /** The client at login. */
  ip: string | null;
  userAgent: string | null;
}

export interface SessionRow {
  id: string;
  appId: string;
  createdAt: Date;
  refreshedAt: Date | null;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export function toSessionView(row: SessionRow, currentSessionId: string): SessionView {
  return {
    id: row.id,
    appId: row.appId,
    current: row.id === currentSessionId,
    createdAt: row.createdAt.toISOString(),
    refreshedAt: row.refreshedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt.toISOString(),
    ip: row.ip,
    userAgent: row.userAgent,
  };
}
