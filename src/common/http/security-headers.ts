import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** Helmet's policy for this service. */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  // Swagger UI (/docs) needs inline styles and data: images; nothing else is relaxed.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      scriptSrc: ["'self'"],
      // The service is plain HTTP behind the TLS proxy; upgrading would break /docs locally.
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * The headers helmet sets for a policy, computed once. Why not `@fastify/helmet`: it rebuilds
 * helmet's middleware (parsing every CSP directive) on every request, which measured 5-6% of
 * the CPU of a guarded request under `npm run bench`. Our policy has no per-request part (no
 * CSP nonces), so helmet's answer is a constant: helmet itself computes it, here, at start.
 */
export function securityHeaders(
  options: Readonly<HelmetOptions> = HELMET_OPTIONS,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  // helmet throws on a bad option itself (since 8.1), so `next` has nothing to report.
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}
