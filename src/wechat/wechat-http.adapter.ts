import { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';

/** WeChat's answers are small JSON; anything larger is not one of them. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * The transport under the WechatModule's axios instance (HttpModule.register({ adapter })):
 * axios still merges the config, runs its interceptors and transforms, and raises AxiosErrors
 * with node's error codes, as its own adapter does. Written by hand because axios's Node
 * adapter (proxy lookup, redirects, decompression, progress and stream plumbing, none of
 * which a WeChat call uses) cost about 120 µs of CPU per call on top of node:http, a tenth of
 * a login's CPU (measured against the emulator, 32 calls at a time). undici would be faster
 * still, but needs the same glue to sit under axios, and is one more dependency.
 *
 * What it does: GET or POST to the full URL (params as a query string), the body axios
 * serialized, the keep-alive agents of the module, the answer read as UTF-8 text up to
 * {@link MAX_ANSWER_BYTES}. `timeout` bounds the whole call, headers and body (axios's own
 * counts idle time on the socket, so a trickling answer could outlast it): past it the call
 * fails with ECONNABORTED, as axios's own timeout does. validateStatus is applied. No cancel
 * signal: no call passes one.
 */
export function wechatHttpAdapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  return new Promise((resolve, reject) => {
    const url = urlOf(config);
    const secure = url.startsWith('https:');
    const body = bodyOf(config.data);
    const headers = config.headers.toJSON(true);
    if (body !== undefined) headers['content-length'] = String(body.length);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    /** True for the first outcome only: the answer, an error or the timeout. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    };
    const fail = (error: AxiosError) => {
      if (!settle()) return;
      req.destroy();
      reject(error);
    };
    const options = {
      method: (config.method ?? 'get').toUpperCase(),
      headers,
      agent: (secure ? config.httpsAgent : config.httpAgent) as HttpAgent | HttpsAgent | undefined,
    };
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          fail(new AxiosError('WeChat answered too much', 'ERR_BAD_RESPONSE', config, req));
        } else {
          chunks.push(chunk);
        }
      });
      res.on('error', (error) => fail(AxiosError.from(error, undefined, config, req)));
      res.on('end', () => {
        if (!settle()) return;
        const response: AxiosResponse = {
          data: Buffer.concat(chunks, size).toString('utf8'),
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          config,
          request: req,
        };
        if (!config.validateStatus || config.validateStatus(response.status)) resolve(response);
        else reject(new AxiosError(`HTTP ${response.status}`, 'ERR_BAD_RESPONSE', config, req));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      fail(AxiosError.from(error, error.code, config, req)),
    );
    if (config.timeout) {
      const message = `timeout of ${config.timeout}ms exceeded`;
      timer = setTimeout(
        () => fail(new AxiosError(message, 'ECONNABORTED', config, req)),
        config.timeout,
      );
    }
    req.end(body);
  });
}

/** As axios joins them: an absolute `url` ignores `baseURL`. */
function urlOf(config: InternalAxiosRequestConfig): string {
  const path = config.url ?? '';
  const url =
    config.baseURL && !/^[a-z][a-z\d+.-]*:\/\//i.test(path)
      ? `${config.baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
      : path;
  if (!config.params) return url;
  const query = new URLSearchParams(config.params as Record<string, string>).toString();
  return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
}

/** axios's transformRequest has already turned an object into JSON text. */
function bodyOf(data: unknown): Buffer | undefined {
  if (data === undefined || data === null) return undefined;
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
}
