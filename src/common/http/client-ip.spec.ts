import { clientIpOf } from './client-ip';

const from = (ip: string, remoteAddress = '10.0.0.5') =>
  clientIpOf({ ip, socket: { remoteAddress } });

describe('clientIpOf', () => {
  it('keeps a plain IPv4 or IPv6 address', () => {
    expect(from('203.0.113.9')).toBe('203.0.113.9');
    expect(from('2001:db8::7')).toBe('2001:db8::7');
  });

  it('writes IPv4-mapped IPv6 as IPv4 and drops IPv6 zone ids', () => {
    expect(from('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(from(`fe80::1%${'x'.repeat(60)}`)).toBe('fe80::1');
  });

  it('falls back to the peer when the claimed address is not an IP address', () => {
    expect(from('a'.repeat(100))).toBe('10.0.0.5');
    expect(from('203.0.113.9:1234', '::ffff:127.0.0.1')).toBe('127.0.0.1');
  });
});
