/** One entry of GET /users/me/logins. */
export interface LoginView {
  at: string;
  appId: string;
  ip: string | null;
  userAgent: string | null;
  isNewUser: boolean;
}

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
