import type { SessionInfo } from '../../api-types';
import type { AuthClient } from '../../auth-client';
import { ApiError, WxCallError } from '../../errors';
import type { WxPageApi, WxShowModalOption } from '../../wx-api';

/**
 * The devices page's data and handlers, built from what they use so tests can run them against
 * a fake `wx` and service; `devices.ts` hands the result to `Page()`.
 */

export interface DeviceRow {
  id: string;
  current: boolean;
  appId: string;
  /** e.g. "iPhone · WeChat 8.0.50", from the user agent. */
  device: string;
  ip: string;
  /** Local time of the last token refresh, or of the login when there was none. */
  lastActive: string;
}

export interface DevicesData {
  devices: DeviceRow[];
  message: string;
  /** While a call runs: the page disables its buttons so a second tap sends nothing. */
  busy: boolean;
}

/** What `Page()` makes `this` in a handler. */
export interface PageView<D> {
  data: D;
  setData(patch: Partial<D>): void;
}

export interface DevicesPageDeps {
  auth: Pick<AuthClient, 'sessions' | 'revokeSession' | 'revokeOtherSessions' | 'deleteAccount'>;
  wx: WxPageApi;
  /** The page to open once signed out, e.g. `/pages/login/login`. */
  loginPage: string;
}

/** `<button bindtap="onRevoke" data-id="{{item.id}}">` */
export interface RevokeTapEvent {
  currentTarget: { dataset: { id?: string } };
}

/** Why the login page is opened; it then waits for a tap instead of logging in silently. */
export type SignedOutReason = 'session-revoked' | 'account-deleted';

// Shown before the first confirmation; keep it in step with what DELETE /users/me removes.
export const DELETION_NOTICE =
  'Your account, profile (nickname, avatar, phone number), WeChat identities, login history and ' +
  'every signed-in device are deleted from our service, as China’s Personal Information ' +
  'Protection Law (PIPL) entitles you to. It cannot be undone: using the app again starts a new, ' +
  'empty account. A record that an account was deleted (its number and the time) is kept.';

const WARNING_RED = '#e64340';

type DevicesView = PageView<DevicesData>;

export function devicesPage({ auth, wx, loginPage }: DevicesPageDeps) {
  const signedOut = (reason: SignedOutReason) =>
    wx.reLaunch({ url: `${loginPage}?reason=${reason}` });

  async function reload(view: DevicesView, message = ''): Promise<void> {
    view.setData({ devices: (await auth.sessions()).map(toRow), message });
  }

  const data: DevicesData = { devices: [], message: '', busy: false };
  return {
    data,

    onShow(this: DevicesView): Promise<void> {
      return busyWhile(this, 'Could not load your devices', () => reload(this));
    },

    async onRevoke(this: DevicesView, e: RevokeTapEvent): Promise<void> {
      const row = this.data.devices.find((d) => d.id === e.currentTarget.dataset.id);
      if (!row || this.data.busy) return;
      const confirmed = await confirm(wx, {
        title: row.current ? 'Log out this device?' : 'Log out that device?',
        content: row.current
          ? 'You will be signed out here.'
          : `${row.device}, ${row.ip}, last active ${row.lastActive}, will be signed out.`,
      });
      if (!confirmed) return;
      await busyWhile(this, 'Could not log that device out', async () => {
        try {
          await auth.revokeSession(row.id);
        } catch (error) {
          if (!(error instanceof ApiError && error.code === 'NOT_FOUND')) throw error;
          return reload(this, 'That device was already logged out.');
        }
        // The client has forgotten its tokens: like a logout, this device is now signed out.
        if (row.current) return signedOut('session-revoked');
        return reload(this, 'Device logged out.');
      });
    },

    async onRevokeOthers(this: DevicesView): Promise<void> {
      if (this.data.busy) return;
      const confirmed = await confirm(wx, {
        title: 'Log out all other devices?',
        content: 'Every device but this one will be signed out.',
      });
      if (!confirmed) return;
      await busyWhile(this, 'Could not log the other devices out', async () => {
        const revoked = await auth.revokeOtherSessions();
        await reload(this, `Logged out ${revoked} other ${revoked === 1 ? 'device' : 'devices'}.`);
      });
    },

    async onDeleteAccount(this: DevicesView): Promise<void> {
      if (this.data.busy) return;
      const destructive = { confirmColor: WARNING_RED };
      if (
        !(await confirm(wx, {
          title: 'Delete your account?',
          content: DELETION_NOTICE,
          ...destructive,
        }))
      ) {
        return;
      }
      const sure = await confirm(wx, {
        title: 'Delete it for good?',
        content: 'This is the last step. Your account is deleted at once and cannot be restored.',
        ...destructive,
      });
      if (!sure) return;
      await busyWhile(this, 'Your account was not deleted', async () => {
        await auth.deleteAccount();
        signedOut('account-deleted');
      });
    },
  };
}

/** The user's answer; a modal WeChat could not show counts as "no". */
export function confirm(wx: WxPageApi, option: WxShowModalOption): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({
      ...option,
      success: (result) => resolve(result.confirm),
      fail: () => resolve(false),
    });
  });
}

/** What to tell the user when a call failed: `failed` says what did not happen. */
export function failureMessage(failed: string, error: unknown): string {
  if (error instanceof WxCallError)
    return `${failed}: no connection. Check your network and try again.`;
  if (error instanceof ApiError) {
    if (error.statusCode === 429)
      return `${failed}: too many attempts. Wait a minute and try again.`;
    if (error.code === 'DATABASE_UNAVAILABLE' || error.statusCode === 503) {
      return `${failed}: the service is busy. Try again in a moment.`;
    }
    // The request id lets support find the failure in the service's logs.
    return `${failed}: ${error.message} (${error.code}${error.requestId ? `, ${error.requestId}` : ''})`;
  }
  return `${failed}: ${error instanceof Error ? error.message : String(error)}`;
}

export function toRow(session: SessionInfo): DeviceRow {
  return {
    id: session.id,
    current: session.current,
    appId: session.appId,
    device: deviceLabel(session.userAgent),
    ip: session.ip ?? 'unknown IP',
    lastActive: localTime(session.refreshedAt ?? session.createdAt),
  };
}

/** A short name for a user agent: the platform and WeChat's version when it names them. */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const platform = /iPhone|iPad|Android|HarmonyOS|Windows|Macintosh/.exec(userAgent)?.[0];
  const wechat = /MicroMessenger\/([\d.]+)/.exec(userAgent)?.[1];
  const parts = [platform === 'Macintosh' ? 'Mac' : platform, wechat && `WeChat ${wechat}`];
  const label = parts.filter(Boolean).join(' · ');
  return label || userAgent.slice(0, 40);
}

/** `YYYY-MM-DD HH:mm` in the phone's time zone. */
export function localTime(iso: string): string {
  const at = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ` +
    `${two(at.getHours())}:${two(at.getMinutes())}`
  );
}

/** Runs one call with the buttons disabled; its failure becomes the page's message. */
async function busyWhile(
  view: DevicesView,
  failed: string,
  work: () => Promise<void>,
): Promise<void> {
  view.setData({ busy: true, message: '' });
  try {
    await work();
  } catch (error) {
    view.setData({ message: failureMessage(failed, error) });
  } finally {
    view.setData({ busy: false });
  }
}
