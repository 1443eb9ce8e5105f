/**
 * The extra WeChat apps `npm run dev` serves when neither the environment nor .env names any
 * (WECHAT_APPS='[]' turns them off): an Official Account's web pages and a website, so that
 * `npm run demo` can show one person across two apps. The emulator plays both; production
 * refuses these secrets.
 */
export const DEV_WECHAT_APPS = JSON.stringify([
  {
    appId: 'wx00000000000000a1',
    secret: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
    type: 'official_account',
    name: 'Official Account (dev)',
  },
  {
    appId: 'wx00000000000000b2',
    secret: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2',
    type: 'website',
    name: 'Website QR login (dev)',
  },
]);
