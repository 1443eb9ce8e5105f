/** Injected faults: per WeChat path, applied in the order they were added. */
import type { Reply } from './http';
import { wechatError, ERRMSG } from './wechat-errors';

export const FAULT_TYPES = [
  'errcode',
  'http500',
  'delay',
  'nonjson',
  'html',
  'drop',
  'empty',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export interface Fault {
  id: string;
  type: FaultType;
  errcode: number;
  errmsg: string | undefined;
  delayMs: number;
  /** Calls still to be affected; Infinity until the faults are cleared. */
  remaining: number;
}

/** What a fault does to one call: a canned reply, a dropped socket, or a normal answer after a pause. */
export type FaultEffect =
  { kind: 'reply'; reply: Reply } | { kind: 'drop' } | { kind: 'delay'; ms: number };

const GATEWAY_500_PAGE =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n' +
  '<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const GATEWAY_HTML_PAGE =
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>System busy</title></head>' +
  '<body><p>The system is busy, please try again later.</p></body></html>';
const NON_JSON_BODY = 'system busy, please try again later';

export class FaultBook {
  private readonly byPath = new Map<string, Fault[]>();
  private nextId = 1;

  add(path: string, fault: Omit<Fault, 'id'>): string {
    const entry: Fault = { ...fault, id: `fault-${this.nextId++}` };
    const queue = this.byPath.get(path);
    if (queue === undefined) this.byPath.set(path, [entry]);
    else queue.push(entry);
    return entry.id;
  }

  /** The fault that applies to this call of `path`, if any; counts the call against it. */
  take(path: string): Fault | undefined {
    const queue = this.byPath.get(path);
    const fault = queue?.[0];
    if (queue === undefined || fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      queue.shift();
      if (queue.length === 0) this.byPath.delete(path);
    }
    return fault;
  }

  clear(): void {
    this.byPath.clear();
  }
}

/** `contentType` is the route's own, so an errcode fault on /sns is text/plain like the real thing. */
export function faultEffect(fault: Fault, contentType: string, nowMs: number): FaultEffect {
  const canned = (status: number, type: string, body: string): FaultEffect => ({
    kind: 'reply',
    reply: { status, contentType: type, body, logNote: `fault=${fault.type}` },
  });
  switch (fault.type) {
    case 'errcode': {
      const errmsg = fault.errmsg ?? ERRMSG[fault.errcode] ?? 'emulated error';
      return canned(200, contentType, JSON.stringify(wechatError(fault.errcode, nowMs, errmsg)));
    }
    case 'http500':
      return canned(500, 'text/html', GATEWAY_500_PAGE);
    case 'nonjson':
      return canned(200, 'text/plain', NON_JSON_BODY);
    case 'html':
      return canned(200, 'text/html; charset=utf-8', GATEWAY_HTML_PAGE);
    case 'empty':
      return canned(200, contentType, '');
    case 'drop':
      return { kind: 'drop' };
    case 'delay':
      return { kind: 'delay', ms: fault.delayMs };
  }
}
