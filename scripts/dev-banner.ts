import type { AppConfig } from '../src/config/app-config';

/** Where a browser on this machine reaches a server listening on `host`. */
export function localUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Whether the service talks to the emulator rather than to WeChat. */
export function usesEmulator(apiBaseUrl: string, emulatorUrl: string): boolean {
  const api = new URL(apiBaseUrl);
  const emulator = new URL(emulatorUrl);
  const loopback = (hostname: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
  return api.port === emulator.port && loopback(api.hostname) && loopback(emulator.hostname);
}

/**
 * What `npm run dev` runs, as it really runs: the mode and the WeChat URL come from the
 * configuration the service was started with, not from what development usually means.
 */
export function devBanner(config: AppConfig, emulatorUrl: string): string {
  const api = localUrl(config.host, config.port);
  const wechat = usesEmulator(config.wechat.apiBaseUrl, emulatorUrl)
    ? `${config.wechat.apiBaseUrl}   (the emulator; mint a login code: POST ${emulatorUrl}/__emulator/login-code)`
    : `${config.wechat.apiBaseUrl}   (NOT the emulator: WECHAT_API_BASE_URL points elsewhere; the emulator idles at ${emulatorUrl})`;
  const mode =
    config.nodeEnv === 'production'
      ? 'PRODUCTION mode (NODE_ENV=production in your settings; for development: cp .env.example .env)'
      : `${config.nodeEnv} mode`;
  return `
[dev] WeChat Mini Program login service, ${mode}
      API        ${api}            (try: npm run demo)
      API docs   ${api}/docs       (OpenAPI JSON at ${api}/docs-json)
      Health     ${api}/health/ready
      WeChat     ${wechat}
      Studio     npm run studio   (browse users, sessions and the login log)
      Edit src/: the service recompiles and restarts. Ctrl-C stops everything.
`;
}
