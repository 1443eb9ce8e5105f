/**
 * Runs the WeChat emulator from the command line, for local development:
 *   EMULATOR_PORT (4010), EMULATOR_HOST (127.0.0.1), WECHAT_APP_ID / WECHAT_APP_SECRET (the DEV pair),
 *   WECHAT_APPS (more apps, the service's JSON format), EMULATOR_LOG=1 for one line per request.
 */
import { appsFromEnv, envValue } from './apps-from-env';
import { startWechatEmulator } from './wechat-emulator';

function portFromEnv(): number {
  const text = envValue(process.env, 'EMULATOR_PORT') ?? '4010';
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65535) {
    throw new Error(`EMULATOR_PORT must be a port number, not "${text}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const apps = appsFromEnv(process.env);
  const emulator = await startWechatEmulator({
    port: portFromEnv(),
    host: envValue(process.env, 'EMULATOR_HOST') ?? '127.0.0.1',
    apps: apps.map(({ appId, appSecret, type }) => ({ appId, appSecret, type })),
  });
  // Secrets are never printed: the dev command's output ends up in terminals and CI logs.
  console.log(`WeChat emulator listening on ${emulator.url} (appid ${apps[0]?.appId ?? ''})`);
  for (const { appId, type, name } of apps) {
    console.log(`  app ${appId} ${type}${name === undefined ? '' : ` (${name})`}`);
  }

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
