import type { SessionInfo } from '../../api-types';
import { AuthClient, TOKENS_STORAGE_KEY } from '../../auth-client';
import { ApiError, WxCallError } from '../../errors';
import { BASE_URL, FakeServer, FakeWx, error } from '../../testing/fake-wx';
import { FakeWxPages, mountPage } from '../../testing/fake-wx-pages';
import { sessionIdOf } from '../../token-claims';
import { DELETION_NOTICE, deviceLabel, devicesPage, failureMessage, toRow } from './devices-page';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN';

describe('devices page (mini-program sample)', () => {
  let server: FakeServer;
  let wx: FakeWx;
  let ui: FakeWxPages;
  let auth: AuthClient;
  let page: ReturnType<typeof mount>;

  const mount = () => mountPage(devicesPage({ auth, wx: ui, loginPage: '/pages/login/login' }));
  const stored = () => wx.storage.get(TOKENS_STORAGE_KEY);
  const tap = (id: string) => ({ currentTarget: { dataset: { id } } });

  beforeEach(async () => {
    server = new FakeServer();
    wx = new FakeWx(server);
    ui = new FakeWxPages();
    auth = new AuthClient({ wx, baseUrl: BASE_URL });
    await auth.login();
    page = mount();
  });

  const ownId = () => sessionIdOf((stored() as { accessToken: string }).accessToken)!;

  describe('onShow', () => {
    it('lists the sessions newest first, this device marked', async () => {
      const other = server.addSession({ ip: '198.51.100.7', userAgent: IPHONE });

      await page.onShow();

      expect(page.data.devices.map((d) => [d.id, d.current])).toEqual([
        [other, false],
        [ownId(), true],
      ]);
      expect(page.data.devices[0]).toMatchObject({
        appId: 'wxfake0000000001',
        device: 'iPhone · WeChat 8.0.50',
        ip: '198.51.100.7',
      });
      expect(page.data).toMatchObject({ busy: false, message: '' });
    });

    it('shows why the list could not be loaded', async () => {
      server.script('GET', '/users/me/sessions', { fail: 'request:fail timeout' });

      await page.onShow();

      expect(page.data.devices).toEqual([]);
      expect(page.data.message).toBe(
        'Could not load your devices: no connection. Check your network and try again.',
      );
      expect(page.data.busy).toBe(false);
    });
  });

  describe('onRevoke', () => {
    it('asks first, then logs the other device out and reloads the list', async () => {
      const other = server.addSession({ userAgent: IPHONE });
      await page.onShow();
      ui.answers.push(true);

      await page.onRevoke(tap(other));

      expect(ui.modals).toHaveLength(1);
      expect(ui.modals[0].title).toBe('Log out that device?');
      expect(ui.modals[0].content).toContain('iPhone · WeChat 8.0.50');
      expect(wx.sentTo('DELETE', `/users/me/sessions/${other}`)).toHaveLength(1);
      expect(server.liveSessionIds()).toEqual([ownId()]);
      expect(page.data.devices.map((d) => d.id)).toEqual([ownId()]);
      expect(page.data.message).toBe('Device logged out.');
      expect(ui.relaunched).toEqual([]);
    });

    it('sends nothing when the user cancels', async () => {
      const other = server.addSession();
      await page.onShow();
      ui.answers.push(false);

      await page.onRevoke(tap(other));

      expect(ui.modals).toHaveLength(1);
      expect(wx.sentTo('DELETE', `/users/me/sessions/${other}`)).toHaveLength(0);
      expect(server.liveSessionIds()).toHaveLength(2);
    });

    it('treats this device like a logout: tokens gone, login page opened, no silent login', async () => {
      await page.onShow();
      const own = ownId();
      ui.answers.push(true);

      await page.onRevoke(tap(own));

      expect(ui.modals[0].title).toBe('Log out this device?');
      expect(server.liveSessionIds()).toEqual([]);
      expect(stored()).toBeUndefined();
      expect(ui.relaunched).toEqual(['/pages/login/login?reason=session-revoked']);
      expect(wx.loginCalls).toBe(1);
      expect(wx.sentTo('GET', '/users/me/sessions')).toHaveLength(1);
    });

    it('says so when the device was already logged out elsewhere', async () => {
      const other = server.addSession();
      await page.onShow();
      server.script('DELETE', `/users/me/sessions/${other}`, error(404, 'NOT_FOUND'));
      ui.answers.push(true);

      await page.onRevoke(tap(other));

      expect(page.data.message).toBe('That device was already logged out.');
      expect(wx.sentTo('GET', '/users/me/sessions')).toHaveLength(2);
    });

    it('shows a failure and keeps the list and the tokens', async () => {
      const other = server.addSession();
      await page.onShow();
      const before = stored();
      server.script('DELETE', `/users/me/sessions/${other}`, error(503, 'DATABASE_UNAVAILABLE'));
      ui.answers.push(true);

      await page.onRevoke(tap(other));

      expect(page.data.message).toBe(
        'Could not log that device out: the service is busy. Try again in a moment.',
      );
      expect(page.data.devices).toHaveLength(2);
      expect(stored()).toEqual(before);
      expect(page.data.busy).toBe(false);
    });

    it('ignores a tap while another call runs', async () => {
      const other = server.addSession();
      await page.onShow();
      page.setData({ busy: true });

      await page.onRevoke(tap(other));

      expect(ui.modals).toHaveLength(0);
      expect(wx.sentTo('DELETE', `/users/me/sessions/${other}`)).toHaveLength(0);
    });
  });

  describe('onRevokeOthers', () => {
    it('asks, logs out every other device and shows how many', async () => {
      server.addSession();
      server.addSession({ appId: 'wxfake0000000002' });
      await page.onShow();
      ui.answers.push(true);

      await page.onRevokeOthers();

      expect(ui.modals.map((m) => m.title)).toEqual(['Log out all other devices?']);
      expect(page.data.message).toBe('Logged out 2 other devices.');
      expect(page.data.devices.map((d) => d.id)).toEqual([ownId()]);
      expect(stored()).toBeDefined();
      expect(ui.relaunched).toEqual([]);
    });

    it('sends nothing when the user cancels', async () => {
      server.addSession();
      ui.answers.push(false);

      await page.onRevokeOthers();

      expect(wx.sentTo('DELETE', '/users/me/sessions')).toHaveLength(0);
      expect(server.liveSessionIds()).toHaveLength(2);
    });
  });

  describe('onDeleteAccount', () => {
    it('explains the deletion, asks twice, deletes, forgets the tokens and opens the login page', async () => {
      ui.answers.push(true, true);

      await page.onDeleteAccount();

      expect(ui.modals.map((m) => m.title)).toEqual([
        'Delete your account?',
        'Delete it for good?',
      ]);
      expect(ui.modals[0].content).toBe(DELETION_NOTICE);
      expect(DELETION_NOTICE).toContain('PIPL');
      expect(ui.modals.map((m) => m.confirmColor)).toEqual(['#e64340', '#e64340']);
      expect(wx.sentTo('DELETE', '/users/me')).toHaveLength(1);
      expect(server.accountDeleted).toBe(true);
      expect(stored()).toBeUndefined();
      expect(ui.relaunched).toEqual(['/pages/login/login?reason=account-deleted']);
      expect(wx.loginCalls).toBe(1);
    });

    it.each([
      ['at the first question', [false]],
      ['at the second question', [true, false]],
    ])('deletes nothing when the user stops %s', async (_when, answers) => {
      ui.answers.push(...answers);

      await page.onDeleteAccount();

      expect(ui.modals).toHaveLength(answers.length);
      expect(wx.sentTo('DELETE', '/users/me')).toHaveLength(0);
      expect(server.accountDeleted).toBe(false);
      expect(stored()).toBeDefined();
    });

    it.each<[string, Parameters<FakeServer['script']>[2], string]>([
      [
        'no network',
        { fail: 'request:fail timeout' },
        'Your account was not deleted: no connection. Check your network and try again.',
      ],
      [
        'RATE_LIMITED',
        error(429, 'RATE_LIMITED'),
        'Your account was not deleted: too many attempts. Wait a minute and try again.',
      ],
      [
        'DATABASE_UNAVAILABLE',
        error(503, 'DATABASE_UNAVAILABLE'),
        'Your account was not deleted: the service is busy. Try again in a moment.',
      ],
    ])('on %s shows why, keeps the tokens and stays', async (_case, answer, message) => {
      const before = stored();
      server.script('DELETE', '/users/me', answer);
      ui.answers.push(true, true);

      await page.onDeleteAccount();

      expect(page.data.message).toBe(message);
      expect(page.data.busy).toBe(false);
      expect(stored()).toEqual(before);
      expect(ui.relaunched).toEqual([]);
    });
  });
});

describe('devices page helpers (mini-program sample)', () => {
  it.each([
    [IPHONE, 'iPhone · WeChat 8.0.50'],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 MicroMessenger/8.0.49.2600 MiniProgramEnv/android',
      'Android · WeChat 8.0.49.2600',
    ],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) MicroMessenger/3.8.7', 'Mac · WeChat 3.8.7'],
    ['curl/8.5.0', 'curl/8.5.0'],
    [null, 'Unknown device'],
  ])('labels %s as %s', (userAgent, label) => {
    expect(deviceLabel(userAgent)).toBe(label);
  });

  it('shows the last refresh, or the login when there was none, in local time', () => {
    // jest.config.js runs the tests in UTC.
    const session: SessionInfo = {
      id: 's-1',
      appId: 'wx1',
      current: false,
      createdAt: '2026-03-01T08:05:00.000Z',
      refreshedAt: null,
      expiresAt: '2026-03-31T08:05:00.000Z',
      ip: null,
      userAgent: null,
    };

    expect(toRow(session)).toEqual({
      id: 's-1',
      current: false,
      appId: 'wx1',
      device: 'Unknown device',
      ip: 'unknown IP',
      lastActive: '2026-03-01 08:05',
    });
    expect(toRow({ ...session, refreshedAt: '2026-03-02T23:59:30.000Z' }).lastActive).toBe(
      '2026-03-02 23:59',
    );
  });

  it('quotes the code and request id of an error it has no advice for', () => {
    const failure = new ApiError(403, 'USER_DISABLED', 'the account is disabled', 'req-9');

    expect(failureMessage('Could not load your devices', failure)).toBe(
      'Could not load your devices: the account is disabled (USER_DISABLED, req-9)',
    );
    expect(failureMessage('X', new WxCallError('wx.request', 'request:fail'))).toContain(
      'no connection',
    );
  });
});
