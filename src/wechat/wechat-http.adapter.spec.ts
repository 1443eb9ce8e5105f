import axios, { AxiosError, type AxiosInstance } from 'axios';
import {
  Agent,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { MAX_ANSWER_BYTES, wechatHttpAdapter } from './wechat-http.adapter';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real local server: the adapter is a transport, so it is tested over a socket. */
describe('wechatHttpAdapter', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  let client: AxiosInstance;
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => handler(req, res, body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = axios.create({ adapter: wechatHttpAdapter, httpAgent: agent, maxRedirects: 0 });
  });

  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('the call should have failed');
      },
      (error: AxiosError) => error,
    );

  it('sends GET params as a query string and answers the body as text', async () => {
    handler = (req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(JSON.stringify({ url: req.url, method: req.method }));
    };
    const response = await client.get<string>(`${base}/sns/jscode2session`, {
      params: { appid: 'wx1', js_code: 'a b&c' },
      responseType: 'text',
      transformResponse: (data: string) => data,
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.data)).toEqual({
      url: '/sns/jscode2session?appid=wx1&js_code=a+b%26c',
      method: 'GET',
    });
  });

  it('joins baseURL and a relative url as axios does; an absolute url ignores baseURL', async () => {
    handler = (req, res) => res.end(JSON.stringify({ url: req.url }));
    const relative = await client.get<{ url: string }>('/cgi-bin/token', {
      baseURL: `${base}/`,
      params: { grant_type: 'client_credential' },
    });
    expect(relative.data.url).toBe('/cgi-bin/token?grant_type=client_credential');
    const absolute = await client.get<{ url: string }>(`${base}/sns/oauth2?x=1`, {
      baseURL: 'http://127.0.0.1:1/elsewhere',
      params: { y: '2' },
    });
    expect(absolute.data.url).toBe('/sns/oauth2?x=1&y=2');
  });

  it('sends a POST body as axios serialized it, with its length', async () => {
    handler = (req, res, body) =>
      res.end(
        JSON.stringify({
          body,
          type: req.headers['content-type'],
          length: req.headers['content-length'],
        }),
      );
    const response = await client.post<{ body: string; type: string; length: string }>(
      `${base}/wxa/business/getuserphonenumber`,
      { code: '码', openid: 'o1' },
    );
    const sent = JSON.stringify({ code: '码', openid: 'o1' });
    expect(response.data).toEqual({
      body: sent,
      type: 'application/json',
      length: String(Buffer.byteLength(sent)),
    });
  });

  it('bounds the whole call by timeout, a trickling answer included', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const drip = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    const error = await failureOf(client.get(`${base}/slow`, { timeout: 200 }));
    expect(error.code).toBe('ECONNABORTED');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it(`refuses an answer larger than ${MAX_ANSWER_BYTES} bytes`, async () => {
    handler = (_req, res) => res.end(Buffer.alloc(MAX_ANSWER_BYTES + 1, 'x'));
    const error = await failureOf(client.get(`${base}/big`));
    expect(error.code).toBe('ERR_BAD_RESPONSE');
  });

  it('keeps node’s error code when nothing listens', async () => {
    const error = await failureOf(client.get('http://127.0.0.1:1/'));
    expect(error).toBeInstanceOf(AxiosError);
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('speaks TLS to an https URL (WeChat’s own), through the https agent', async () => {
    const httpsAgent = new HttpsAgent({ keepAlive: true });
    const connect = jest.spyOn(httpsAgent, 'createConnection');
    handler = (_req, res) => res.end('{}');
    // The local server speaks plain HTTP, so the handshake fails: proof that TLS was attempted.
    const error = await failureOf(client.get(base.replace('http:', 'https:'), { httpsAgent }));
    expect(error.code).toBe('EPROTO');
    expect(connect).toHaveBeenCalled();
    httpsAgent.destroy();
  });

  it('reports a dropped connection as a reset', async () => {
    handler = (req) => req.socket.destroy();
    const error = await failureOf(client.get(`${base}/drop`));
    expect(error.code).toBe('ECONNRESET');
  });

  it('reports a connection dropped halfway through the answer as a reset, at once', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"openid":');
      setTimeout(() => req.socket.destroy(), 20);
    };
    const started = Date.now();
    const error = await failureOf(client.get(`${base}/half`, { timeout: 5000 }));
    expect(error.code).toBe('ECONNRESET');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('applies validateStatus', async () => {
    handler = (_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    };
    const refused = await failureOf(client.get(`${base}/busy`));
    expect(refused.code).toBe('ERR_BAD_RESPONSE');
    const accepted = await client.get(`${base}/busy`, { validateStatus: () => true });
    expect(accepted.status).toBe(503);
  });

  it('reuses its keep-alive connection', async () => {
    const ports: number[] = [];
    handler = (req, res) => {
      ports.push(req.socket.remotePort!);
      res.end('{}');
    };
    await client.get(`${base}/one`);
    await client.get(`${base}/two`);
    expect(ports[0]).toBe(ports[1]);
  });
});
