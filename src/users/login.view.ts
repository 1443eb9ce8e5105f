import type { LoginLog } from '../generated/prisma/client';

/** One entry of GET /users/me/logins. */
export interface LoginView {
  at: string;
  ip: string | null;
  userAgent: string | null;
  isNewUser: boolean;
}

export function toLoginView(
  login: Pick<LoginLog, 'at' | 'ip' | 'userAgent' | 'isNewUser'>,
): LoginView {
  return {
    at: login.at.toISOString(),
    ip: login.ip,
    userAgent: login.userAgent,
    isNewUser: login.isNewUser,
  };
}
