/** The example's configuration, read once at start from the environment; injected by class. */
export class BusinessServiceSettings {
  port: number;
  /** Where the login service runs; its JWKS and introspection routes are found from here. */
  authServiceUrl: string;
  /** The login service's JWT_ISSUER / JWT_AUDIENCE, when it sets them. */
  issuer: string | undefined;
  audience: string | undefined;
  /** The least time between two JWKS fetches triggered by an unknown `kid`. */
  jwksCooldownMs: number;
  /**
   * When set (the login service's INTROSPECTION_TOKEN), every request is also checked with
   * POST /auth/introspect, so a logout or a disabled account takes effect at once instead of
   * at the token's expiry. One more round trip per request.
   */
  introspectionToken: string | undefined;
}

export function loadSettings(env: NodeJS.ProcessEnv): BusinessServiceSettings {
  const authServiceUrl = env.AUTH_SERVICE_URL?.replace(/\/+$/, '');
  if (!authServiceUrl || !/^https?:\/\/\S+$/.test(authServiceUrl)) {
    throw new Error('AUTH_SERVICE_URL must be the http(s) URL of the login service');
  }
  const cooldown = Number(env.JWKS_COOLDOWN_MS ?? 30000);
  if (!Number.isInteger(cooldown) || cooldown < 0) {
    throw new Error('JWKS_COOLDOWN_MS must be a whole number of milliseconds');
  }
  return Object.assign(new BusinessServiceSettings(), {
    port: Number(env.PORT ?? 3100),
    authServiceUrl,
    issuer: env.JWT_ISSUER || undefined,
    audience: env.JWT_AUDIENCE || undefined,
    jwksCooldownMs: cooldown,
    introspectionToken: env.INTROSPECTION_TOKEN || undefined,
  });
}
