import { userInfo } from 'node:os';

/**
 * Who is acting, for audit_log.actor: ADMIN_ACTOR when set (a shared server account, a
 * container's `node` user or a CI job should name the person), else the OS user running the
 * command. audit_log.actor is VARCHAR(64).
 */
export function adminActor(env: Record<string, string | undefined>): string {
  const named = env.ADMIN_ACTOR?.trim();
  if (named) return named.slice(0, 64);
  try {
    return userInfo().username;
  } catch {
    // A container user with no passwd entry has no name, only its uid.
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
