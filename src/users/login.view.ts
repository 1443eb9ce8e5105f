import type { Prisma } from '../generated/prisma/client';

/** One entry of GET /users/me/logins. */
export interface LoginView {
  at: string;
  appId: string;
  ip: string | null;
  userAgent: string | null;
  isNewUser: boolean;
}

/** What a {@link LoginView} is made of, newest first: one Prisma select for every list of logins. */
export const LOGIN_VIEW_QUERY = {
  orderBy: [{ at: 'desc' }, { id: 'desc' }],
  select: {
    at: true,
    ip: true,
    userAgent: true,
    isNewUser: true,
    identity: { select: { appId: true } },
  },
} satisfies Pick<Prisma.LoginLogFindManyArgs, 'orderBy' | 'select'>;

export function toLoginView(login: {
  at: Date;
  ip: string | null;
  userAgent: string | null;
  isNewUser: boolean;
  identity: { appId: string };
}): LoginView {
  return {
    at: login.at.toISOString(),
    appId: login.identity.appId,
    ip: login.ip,
    userAgent: login.userAgent,
    isNewUser: login.isNewUser,
  };
}
