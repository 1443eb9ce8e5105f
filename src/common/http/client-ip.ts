import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** Drops an IPv6 zone id and writes an IPv4-mapped IPv6 address as IPv4, as docs/api.md says. */
function plainAddress(ip: string): string {
  const address = ip.split('%')[0];
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The client's address. Fastify derives request.ip with TRUST_PROXY (Express's `trust proxy`
 * rules: the rightmost X-Forwarded-For entry not sent by a trusted proxy), so behind a trusted
 * proxy it is whatever that header says. Anything that is not an IP address (a client's garbage
 * passed on by a proxy trusted too widely) falls back to the peer's address.
 */
export function clientIpOf(
  request: Pick<FastifyRequest, 'ip'> & { socket: { remoteAddress?: string } },
): string {
  const claimed = plainAddress(request.ip);
  return isIP(claimed) ? claimed : plainAddress(request.socket.remoteAddress ?? '');
}
