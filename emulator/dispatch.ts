/**
 * Turns one HTTP request into one reply: a WeChat route (after any injected fault), a control
 * route, or a 404. Logs one line per request when asked, never with the query string (secrets).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { URL } from 'node:url';
import { faultEffect } from './faults';
import {
  HttpError,
  jsonReply,
  parseJsonObject,
  readBody,
  waitUnlessClosed,
  wechatReply,
  type ControlRoute,
  type Reply,
  type WechatRoute,
} from './http';
import type { EmulatorState } from './state';

export const CONTROL_PREFIX = '/__emulator/';

export class Dispatcher {
  private readonly controlRoutes: ReadonlyMap<string, ControlRoute[2]>;

  constructor(
    private readonly state: EmulatorState,
    private readonly wechatRoutes: ReadonlyMap<string, WechatRoute>,
    controlRoutes: readonly ControlRoute[],
  ) {
    this.controlRoutes = new Map(
      controlRoutes.map(([method, path, handle]) => [`${method} ${CONTROL_PREFIX}${path}`, handle]),
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    let reply: Reply | 'dropped';
    try {
      reply = await this.respond(method, url, req, res);
    } catch (error) {
      if (!(error instanceof HttpError)) console.error('wechat-emulator: internal error', error);
      reply =
        error instanceof HttpError
          ? jsonReply(error.status, { error: error.message })
          : jsonReply(500, { error: 'internal emulator error' });
    }
    if (reply !== 'dropped' && !res.destroyed) {
      res.writeHead(reply.status, {
        'Content-Type': reply.contentType,
        'Content-Length': Buffer.byteLength(reply.body),
      });
      res.end(reply.body);
    }
    if (this.state.config.log) {
      const outcome =
        reply === 'dropped'
          ? 'dropped'
          : `${reply.status}${reply.logNote ? ` ${reply.logNote}` : ''}`;
      console.log(
        `wechat-emulator: ${method} ${url.pathname} ${outcome} ${Date.now() - startedAt}ms`,
      );
    }
  }

  private async respond(
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Reply | 'dropped'> {
    const body = await readBody(req);
    if (url.pathname.startsWith(CONTROL_PREFIX)) return this.control(method, url, body);
    const route = this.wechatRoutes.get(url.pathname);
    if (route === undefined) return jsonReply(404, { error: 'no such route', path: url.pathname });

    const { state } = this;
    state.calls.set(url.pathname, (state.calls.get(url.pathname) ?? 0) + 1);
    const fault = state.faults.take(url.pathname);
    const effect =
      fault === undefined ? undefined : faultEffect(fault, route.contentType, state.now());
    if (effect?.kind === 'drop') {
      req.socket.destroy();
      return 'dropped';
    }
    if (effect?.kind === 'reply') return effect.reply;

    // A delayed call is processed on arrival, as WeChat would: a client that gives up waiting
    // has still spent its code.
    const answer =
      method === route.method
        ? route.handle(url.searchParams, body)
        : state.error(route.method === 'GET' ? 43001 : 43002);
    if (effect?.kind === 'delay') await waitUnlessClosed(effect.ms, res);
    return wechatReply(route, answer);
  }

  private control(method: string, url: URL, rawBody: string): Reply {
    const handler = this.controlRoutes.get(`${method} ${url.pathname}`);
    if (handler === undefined) {
      throw new HttpError(404, `no emulator control route ${method} ${url.pathname}`);
    }
    const body = rawBody.trim() === '' ? {} : parseJsonObject(rawBody);
    if (body === null) throw new HttpError(400, 'the body must be a JSON object');
    return jsonReply(200, handler(body, url.searchParams));
  }
}
