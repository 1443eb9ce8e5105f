import type { WxUser } from '../../api-types';
import { auth } from '../../app-auth';
import type { ChooseAvatarEvent, GetPhoneNumberEvent, WxUploadApi } from '../../wx-api';

// What the mini-program runtime provides; right with or without miniprogram-api-typings.
declare const wx: WxUploadApi;
declare function Page<D>(options: { data: D } & Record<string, unknown> & ThisType<View<D>>): void;

interface View<D> {
  data: D;
  setData(patch: Partial<D>): void;
}

interface LoginData {
  avatarUrl: string;
  nickname: string;
  phone: string;
  message: string;
  /** Opened after a sign-out (see the devices page): logging in waits for the user's tap. */
  signedOut: boolean;
}

/** The `?reason=` the devices page opens this page with. */
const SIGNED_OUT_MESSAGES: Record<string, string> = {
  'session-revoked': 'You logged this device out.',
  'account-deleted': 'Your account was deleted.',
};

interface NicknameSubmitEvent {
  detail: { value: { nickname?: string } };
}

// Your own storage (not this service): it keeps the image and answers {"url": "https://…"}.
const AVATAR_UPLOAD_URL = 'https://api.example.com/uploads/avatar';

Page<LoginData>({
  data: { avatarUrl: '', nickname: '', phone: '', message: '', signedOut: false },

  onLoad(query: { reason?: string }) {
    const signedOut = query.reason ? SIGNED_OUT_MESSAGES[query.reason] : undefined;
    // A silent login now would undo the sign-out, and after a deletion create a new account.
    if (signedOut) {
      this.setData({ signedOut: true, message: signedOut });
      return;
    }
    // The first call logs in silently (wx.login); later ones reuse or refresh the tokens.
    guarded(this, async () =>
      this.setData(shown(await auth.request<WxUser>({ path: '/users/me' }))),
    );
  },

  onLogin() {
    guarded(this, async () => this.setData(shown((await auth.login()).user)));
  },

  onChooseAvatar(e: ChooseAvatarEvent) {
    guarded(this, async () => {
      // e.detail.avatarUrl is a temporary file only this device can read: upload it first and
      // store the https URL your storage answers.
      const avatarUrl = await uploadAvatar(e.detail.avatarUrl);
      this.setData(shown(await auth.updateProfile({ avatarUrl })));
    });
  },

  onSaveNickname(e: NicknameSubmitEvent) {
    const nickname = e.detail.value.nickname?.trim();
    if (!nickname) return;
    guarded(this, async () => this.setData(shown(await auth.updateProfile({ nickname }))));
  },

  onGetPhoneNumber(e: GetPhoneNumberEvent) {
    guarded(this, async () => {
      const result = await auth.bindPhone(e);
      this.setData(
        result.bound ? { phone: result.phone.phoneNumber } : { message: 'Phone number not shared' },
      );
    });
  },

  onLogout() {
    guarded(this, async () => {
      await auth.logout();
      this.setData({ avatarUrl: '', nickname: '', phone: '', message: 'Logged out' });
    });
  },
});

function shown(user: WxUser): Partial<LoginData> {
  return {
    avatarUrl: user.avatarUrl ?? '',
    nickname: user.nickname ?? '',
    phone: user.phone ?? '',
    message: '',
    signedOut: false,
  };
}

/** Shows a handler's failure on the page instead of leaving an unhandled rejection. */
function guarded(view: View<LoginData>, work: () => Promise<void>): void {
  work().catch((error: unknown) => {
    view.setData({ message: error instanceof Error ? error.message : String(error) });
  });
}

function uploadAvatar(filePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: AVATAR_UPLOAD_URL,
      filePath,
      name: 'file',
      success: ({ statusCode, data }) => {
        const url = statusCode === 200 ? parseUrl(data) : undefined;
        if (url) resolve(url);
        else reject(new Error(`avatar upload failed (HTTP ${statusCode})`));
      },
      fail: ({ errMsg }) => reject(new Error(errMsg)),
    });
  });
}

function parseUrl(body: string): string | undefined {
  try {
    const { url } = JSON.parse(body) as { url?: unknown };
    return typeof url === 'string' && url.startsWith('https://') ? url : undefined;
  } catch {
    return undefined;
  }
}
