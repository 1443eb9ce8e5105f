/**
 * Runs the WeChat emulator from the command line, for local development:
 *   EMULATOR_PORT (4010), EMULATOR_HOST (127.0.0.1), WECHAT_APP_ID / WECHAT_APP_SECRET (the DEV pair),
 *   EMULATOR_LOG=1 for one line per request.
 */
import { DEV_APP_ID, DEV_APP_SECRET, startWechatEmulator } from './wechat-emulator';

/** An empty variable counts as missing, as in the service's own configuration. */
function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function portFromEnv(): number {
  const text = env('EMULATOR_PORT') ?? '4010';
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65535) {
    throw new Error(`EMULATOR_PORT must be a port number, not "${text}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const appId = env('WECHAT_APP_ID') ?? DEV_APP_ID;
  const appSecret = env('WECHAT_APP_SECRET') ?? DEV_APP_SECRET;
  const emulator = await startWechatEmulator({
    port: portFromEnv(),
    host: env('EMULATOR_HOST') ?? '127.0.0.1',
    apps: [{ appId, appSecret }],
  });
  // The secret is never printed: the dev command's output ends up in terminals and CI logs.
  console.log(`WeChat emulator listening on ${emulator.url} (appid ${appId})`);

  const shutdown = (): void => {
    emulator.close().catch((error: unknown) => {
      console.error('WeChat emulator failed to close cleanly:', error);
      process.exitCode = 1;
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(
    `WeChat emulator failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
