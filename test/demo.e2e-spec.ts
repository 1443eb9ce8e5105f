import { DEV_APP_ID } from '../emulator/wechat-emulator';
import { firstWebAppId, runDemo } from '../scripts/demo';
import { useTestStack } from './support/stack';

const OFFICIAL = 'wx00000000000000c3';
const WECHAT_APPS = JSON.stringify([
  { appId: OFFICIAL, secret: 'c'.repeat(32), type: 'official_account', name: 'Demo pages' },
]);
const stack = useTestStack(
  { WECHAT_APPS },
  {
    apps: [
      { appId: DEV_APP_ID, appSecret: '0123456789abcdef0123456789abcdef' },
      { appId: OFFICIAL, appSecret: 'c'.repeat(32), type: 'official_account' },
    ],
  },
);

const play = async (): Promise<string> => {
  const lines: string[] = [];
  await runDemo({
    serviceUrl: stack.service.url,
    emulatorUrl: stack.emulator.url,
    webAppId: firstWebAppId(WECHAT_APPS),
    print: (line) => lines.push(line),
  });
  return lines.join('\n');
};

it('npm run demo plays the whole flow, a second app and its link included (smoke test)', async () => {
  const output = await play();
  expect(output).toContain('小明😀');
  expect(output).toMatch(/"phoneNumber": "139\d{8}"/);
  expect(output).toContain(`the web app ${OFFICIAL} joins the same account`);
  expect(output).toContain('SESSION_REVOKED');
  expect(output).toContain('Demo finished');
  const accounts = await stack.db.query<{ nickname: string; identities: number }>(
    `SELECT a.nickname, (SELECT COUNT(*) FROM wx_user w WHERE w.account_id = a.id) AS identities
       FROM account a`,
  );
  expect(accounts).toEqual([{ nickname: '小明😀', identities: 2 }]);
});

it('runs again on the same database (a new person, a number of its own)', async () => {
  expect(await play()).toContain('Demo finished');
  expect(await stack.db.query('SELECT id FROM account')).toHaveLength(2);
});

it('finds the first web app in WECHAT_APPS', () => {
  expect(firstWebAppId(WECHAT_APPS)).toBe(OFFICIAL);
  expect(firstWebAppId('[{"appId":"wx1","type":"miniprogram"}]')).toBeUndefined();
  expect(firstWebAppId('not json')).toBeUndefined();
  expect(firstWebAppId(undefined)).toBeUndefined();
});
