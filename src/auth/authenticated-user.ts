import type { AccountWithIdentities, IdentityRecord } from '../users/account';

/**
 * What the JWT guard attaches to a request: the caller's account (active), all of its
 * identities, and the identity of the session (whose app, openid and session key
 * /wechat/decrypt and /users/me/phone use).
 */
export interface AuthenticatedUser extends AccountWithIdentities {
  accountId: bigint;
  sessionId: string;
  identity: IdentityRecord;
}
