import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import { HELMET_OPTIONS, securityHeaders } from './security-headers';

/** What helmet's own middleware sets on a real Node response. */
function headersFromMiddleware(): Record<string, string> {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  helmet(HELMET_OPTIONS)(request, response, () => undefined);
  return Object.fromEntries(
    Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]),
  );
}

describe('securityHeaders', () => {
  it('are exactly the headers helmet sets on a response', () => {
    expect(securityHeaders()).toEqual(headersFromMiddleware());
  });

  it('carry the policy: CSP for /docs, no sniffing, no framing, HSTS', () => {
    const headers = securityHeaders();
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  });

  it('follow the options they are given', () => {
    expect(securityHeaders({ frameguard: { action: 'deny' } })['x-frame-options']).toBe('DENY');
    expect(securityHeaders({ contentSecurityPolicy: false })).not.toHaveProperty(
      'content-security-policy',
    );
  });
});
