/**
 * A login's writes when its round runs again (LoginRecorder): a write that took effect, or is
 * still under way, must not be repeated, or a login would be counted or logged twice.
 */

/** One write of a login, keyed by the identity it is for. */
export type IdentityWrite<T> = (identityId: bigint, write: () => Promise<T>) => Promise<T>;

/**
 * Runs `write` at most once per identity: a round run again reuses what the first one started,
 * whatever became of it (the caller's session: a failed start fails the login).
 */
export function oncePerIdentity<T>(): IdentityWrite<T> {
  return perIdentity(false);
}

/**
 * Runs `write` again for the same identity only if it failed: two writes go out at once, and
 * when one loses a lock conflict the round runs again, which must repeat that one and not the
 * other that succeeded. (A Galera cluster test saw a login logged twice: its counter update ran
 * out of deadlock retries while its login record went in.)
 */
export function untilSucceededPerIdentity<T>(): IdentityWrite<T> {
  return perIdentity(true);
}

function perIdentity<T>(repeatFailed: boolean): IdentityWrite<T> {
  let last: { identityId: bigint; result: Promise<T>; failed: boolean } | undefined;
  return (identityId, write) => {
    if (last?.identityId !== identityId || (repeatFailed && last.failed)) {
      const entry = { identityId, result: write(), failed: false };
      // Started early and awaited later: a failure meanwhile must not go unhandled (that would
      // end the process). Registered before any caller's handler, so `failed` is set by the
      // time a caller sees the failure.
      entry.result.catch(() => {
        entry.failed = true;
      });
      last = entry;
    }
    return last.result;
  };
}
