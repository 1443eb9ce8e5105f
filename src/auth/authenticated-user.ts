import type { WxUser } from '../generated/prisma/client';

/** What the JWT guard attaches to a request: the session and its (active) user. */
export interface AuthenticatedUser {
  userId: bigint;
  sessionId: string;
  user: WxUser;
}
