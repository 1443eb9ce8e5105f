import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { AppConfig } from '../../config/app-config';

/**
 * The client's address as Express's `trust proxy` computes it: the rightmost
 * X-Forwarded-For entry not sent by a trusted proxy. IPv4-mapped IPv6 is written as IPv4.
 */
export function clientIp(request: IncomingMessage, trustProxy: AppConfig['trustProxy']): string {
  const address = proxyAddr(request, trustProxy);
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
