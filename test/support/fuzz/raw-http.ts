import { request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query exactly as they go on the request line. */
  path: string;
  /** Sent as given; an array sends the header once per value. */
  headers?: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body chunked instead of with a Content-Length. */
  chunked?: boolean;
}

export type RawOutcome =
  | { kind: 'answer'; status: number; headers: Record<string, string>; text: string; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'network'; error: string; ms: number };

/**
 * One HTTP/1.1 request on a connection of its own, with no help from a client library:
 * any method, raw bytes as the body, headers as given (fetch would refuse some methods,
 * add a Content-Type and re-encode strings). A hostile request may make the server close
 * the connection, so no connection is reused.
 */
export function rawRequest(
  baseUrl: string,
  spec: RawRequest,
  timeoutMs = 5000,
): Promise<RawOutcome> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const headers: Record<string, string | string[]> = { ...spec.headers };
    if (spec.body !== undefined && !spec.chunked)
      headers['content-length'] = String(spec.body.length);
    if (spec.chunked) headers['transfer-encoding'] = 'chunked';
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: spec.method,
        path: spec.path,
        headers,
        agent: false,
        // Node's client refuses some odd-but-legal header values unless told not to.
        insecureHTTPParser: true,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          finish({
            kind: 'answer',
            status: res.statusCode ?? 0,
            headers: flat,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: Date.now() - started,
          });
        });
        res.on('error', (error) =>
          finish({ kind: 'network', error: error.message, ms: Date.now() - started }),
        );
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'timeout', ms: Date.now() - started });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) =>
      finish({ kind: 'network', error: error.message, ms: Date.now() - started }),
    );
    if (spec.body !== undefined) {
      if (spec.chunked) {
        // A few chunks, so the server really has to reassemble the body.
        const step = Math.max(1, Math.ceil(spec.body.length / 4));
        for (let i = 0; i < spec.body.length; i += step) req.write(spec.body.subarray(i, i + step));
      } else {
        req.write(spec.body);
      }
    }
    req.end();
  });
}
