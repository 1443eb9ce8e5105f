/**
 * WeChat server emulator.
 *
 * Stands in for api.weixin.qq.com in tests and local development. It answers WeChat's routes
 * with WeChat's quirks (HTTP 200 for errors, text/plain on /sns, errmsg ending in a rid,
 * one stable token shared by every caller) and adds a control API under /__emulator to mint
 * login, phone and web codes, encrypt data the way WeChat does, set content-check verdicts,
 * inject faults and inspect state. Node built-ins only, so it runs wherever the service's
 * tests run.
 *
 * This file starts and stops the server; the state lives in state.ts, WeChat's routes in
 * wechat-*.ts, the control routes in control-*.ts.
 */
import { createServer, type Server } from 'node:http';
import { resolveConfig, type EmulatorOptions } from './config';
import { adminControlRoutes } from './control-admin';
import { codeControlRoutes } from './control-codes';
import { Dispatcher } from './dispatch';
import { EmulatorState } from './state';
import { wechatRoutes } from './wechat-routes';

export { DEV_APP_ID, DEV_APP_SECRET } from './config';
export type { AppType, EmulatorApp, EmulatorOptions } from './config';

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 60_000;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the emulator is not listening on TCP'));
      } else {
        resolve(address.port);
      }
    });
  });
}

export async function startWechatEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = new EmulatorState(resolveConfig(options));
  const routes = wechatRoutes(state);
  const dispatcher = new Dispatcher(state, routes, [
    ...codeControlRoutes(state),
    ...adminControlRoutes(state, [...routes.keys()]),
  ]);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    void dispatcher.handle(req, res);
  });
  const port = await listen(server, options.port ?? 0, host);
  const sweeper = setInterval(() => {
    state.sweep();
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      clearInterval(sweeper);
      server.close((error) => {
        if (error) reject(error);
        else resolve();
      });
      // Keep-alive sockets would hold the server (and jest) open otherwise.
      server.closeAllConnections();
    });
    return closing;
  };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, port, close };
}
