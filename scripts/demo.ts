import { loadEnvironment } from '../src/config/environment';
import { DEV_WECHAT_APPS } from './dev-apps';

/*
 * `npm run demo`: plays a mini-program against the running service, step by step, the way
 * a real one would call it. The emulator stands in for WeChat (it mints what wx.login()
 * and the phone button would give the mini-program). Also run by the e2e suite as a smoke test.
 */

export interface DemoOptions {
  serviceUrl: string;
  emulatorUrl: string;
  appId?: string;
  /** An Official Account or website app (from WECHAT_APPS) whose identity the demo links. */
  webAppId?: string;
  print?: (line: string) => void;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

class DemoFailure extends Error {}

export async function runDemo({
  serviceUrl,
  emulatorUrl,
  appId,
  webAppId,
  print = console.log,
}: DemoOptions): Promise<void> {
  let step = 0;
  const show = (title: string, detail: unknown) => {
    print(`\n${++step}. ${title}`);
    print(`   ${JSON.stringify(detail, null, 2).replace(/\n/g, '\n   ')}`);
  };
  const send = async (
    url: string,
    method: string,
    body?: unknown,
    token?: string,
  ): Promise<Answer> => {
    const response = await fetch(url, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
        'user-agent': 'wxauth-demo (mini-program stand-in)',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  const expectStatus = (answer: Answer, status: number, what: string) => {
    if (answer.status !== status) {
      throw new DemoFailure(
        `${what}: expected HTTP ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
  };
  const api = (path: string) => `${serviceUrl}${path}`;
  const emulator = (path: string) => `${emulatorUrl}/__emulator${path}`;

  const minted = await send(emulator('/login-code'), 'POST', { ...(appId && { appId }) });
  expectStatus(minted, 200, 'minting a login code on the emulator');
  const openid = minted.body.openid as string;
  show('wx.login() gives the mini-program a one-time code', { code: minted.body.code });

  const login = await send(api('/auth/wechat/login'), 'POST', {
    code: minted.body.code,
    userInfo: { nickName: '微信用户', gender: 0 },
  });
  expectStatus(login, 200, 'POST /auth/wechat/login');
  const { accessToken, refreshToken } = login.body as { accessToken: string; refreshToken: string };
  show('POST /auth/wechat/login → our own tokens and the user', {
    ...login.body,
    accessToken: `${accessToken.slice(0, 24)}…`,
    refreshToken: '(kept by the client, never shown)',
  });

  const me = await send(api('/users/me'), 'GET', undefined, accessToken);
  expectStatus(me, 200, 'GET /users/me');
  show('GET /users/me with Authorization: Bearer …', me.body);

  const profile = await send(
    api('/users/me'),
    'PATCH',
    { nickname: '小明😀', avatarUrl: 'https://example.com/avatars/xiaoming.png', gender: 1 },
    accessToken,
  );
  expectStatus(profile, 200, 'PATCH /users/me');
  show('PATCH /users/me from the nickname and chooseAvatar components (emoji kept)', {
    nickname: profile.body.nickname,
    avatarUrl: profile.body.avatarUrl,
    gender: profile.body.gender,
  });

  // A number of its own on every run: a number belongs to one account (PHONE_TAKEN).
  const phoneNumber = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const phoneCode = await send(emulator('/phone-code'), 'POST', {
    openid,
    phoneNumber,
    ...(appId && { appId }),
  });
  expectStatus(phoneCode, 200, 'minting a phone code on the emulator');
  const phone = await send(
    api('/users/me/phone'),
    'POST',
    { code: phoneCode.body.code },
    accessToken,
  );
  expectStatus(phone, 200, 'POST /users/me/phone');
  show('POST /users/me/phone with the code of the getPhoneNumber button', phone.body);

  const sealed = await send(emulator('/encrypt'), 'POST', {
    openid,
    data: { openGId: 'tG0bDemoGroupId', note: 'encrypted by WeChat with the session key' },
    ...(appId && { appId }),
  });
  expectStatus(sealed, 200, 'encrypting sample data on the emulator');
  const decrypted = await send(api('/wechat/decrypt'), 'POST', sealed.body, accessToken);
  expectStatus(decrypted, 200, 'POST /wechat/decrypt');
  show('POST /wechat/decrypt: encryptedData + iv → data (watermark checked)', decrypted.body);

  if (webAppId) {
    await showSecondApp(webAppId, accessToken);
  } else {
    print(
      '\n(WECHAT_APPS names no official_account or website app: the second-app steps are skipped.)',
    );
  }

  const refreshed = await send(api('/auth/refresh'), 'POST', { refreshToken });
  expectStatus(refreshed, 200, 'POST /auth/refresh');
  const newAccessToken = refreshed.body.accessToken as string;
  show('POST /auth/refresh → a new pair; the old refresh token stops working', {
    expiresIn: refreshed.body.expiresIn,
    refreshExpiresIn: refreshed.body.refreshExpiresIn,
  });

  const logout = await send(api('/auth/logout'), 'POST', undefined, newAccessToken);
  expectStatus(logout, 204, 'POST /auth/logout');
  show('POST /auth/logout', { status: logout.status });

  const refused = await send(api('/users/me'), 'GET', undefined, newAccessToken);
  expectStatus(refused, 401, 'GET /users/me after logout');
  show('The logged-out token is refused', refused.body);
  print('\nDemo finished: every step answered as the contract says.');

  /** The same person on an Official Account page: link the identity, then log in there. */
  async function showSecondApp(webApp: string, token: string): Promise<void> {
    const web = await send(emulator('/oauth-code'), 'POST', {
      appId: webApp,
      scope: 'snsapi_base',
    });
    expectStatus(web, 200, 'minting a web OAuth code on the emulator');
    const linked = await send(
      api('/users/me/identities'),
      'POST',
      { appId: webApp, code: web.body.code },
      token,
    );
    expectStatus(linked, 200, 'POST /users/me/identities');
    show(`POST /users/me/identities: the web app ${webApp} joins the same account`, {
      id: linked.body.id,
      identities: linked.body.identities,
    });
    const again = await send(emulator('/oauth-code'), 'POST', {
      appId: webApp,
      openid: web.body.openid,
      scope: 'snsapi_base',
    });
    expectStatus(again, 200, 'minting a second web OAuth code on the emulator');
    const webLogin = await send(api('/auth/wechat/oauth'), 'POST', {
      appId: webApp,
      code: again.body.code,
    });
    expectStatus(webLogin, 200, 'POST /auth/wechat/oauth');
    const user = webLogin.body.user as Record<string, unknown>;
    show(
      'POST /auth/wechat/oauth from the web page → the same account, seen from the web identity',
      {
        isNewUser: webLogin.body.isNewUser,
        id: user.id,
        appId: user.appId,
        nickname: user.nickname,
        loginCount: user.loginCount,
      },
    );
  }
}

/** The first Official Account or website app of WECHAT_APPS, if any (the service's own format). */
export function firstWebAppId(wechatApps: string | undefined): string | undefined {
  if (!wechatApps?.trim()) return undefined;
  try {
    const apps = JSON.parse(wechatApps) as Array<{ appId?: unknown; type?: unknown }>;
    const web = apps.find((app) => app.type === 'official_account' || app.type === 'website');
    return typeof web?.appId === 'string' ? web.appId : undefined;
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  const serviceUrl = process.env.DEMO_SERVICE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const emulatorUrl =
    process.env.DEMO_EMULATOR_URL ?? `http://127.0.0.1:${process.env.EMULATOR_PORT ?? 4010}`;
  print(`Mini-program demo against ${serviceUrl} (WeChat emulator at ${emulatorUrl})`);
  loadEnvironment()
    .then((env) =>
      runDemo({
        serviceUrl,
        emulatorUrl,
        appId: env.WECHAT_APP_ID,
        // The apps `npm run dev` serves: .env's, else its defaults.
        webAppId: firstWebAppId(env.WECHAT_APPS || DEV_WECHAT_APPS),
      }),
    )
    .catch((error: unknown) => {
      console.error(
        error instanceof DemoFailure
          ? `\nDemo failed: ${error.message}`
          : `\nDemo failed: ${(error as Error).message} (is \`npm run dev\` running?)`,
      );
      process.exit(1);
    });
}

function print(line: string): void {
  console.log(line);
}
