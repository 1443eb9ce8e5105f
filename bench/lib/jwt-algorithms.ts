import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { JWT_ALGORITHMS, JwtAlgorithm } from '../../src/config/jwt-keys';

/** BENCH_ALGORITHMS: JWT_ALGORITHM values, comma-separated, each once. */
export function parseAlgorithms(value: string): JwtAlgorithm[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !JWT_ALGORITHMS.includes(name as JwtAlgorithm));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `BENCH_ALGORITHMS must list some of ${JWT_ALGORITHMS.join(', ')}` +
        (unknown.length ? `, not ${unknown.join(', ')}` : ''),
    );
  }
  return [...new Set(names as JwtAlgorithm[])];
}

/**
 * The service's signing settings for an algorithm, with a key made up for this run: a random
 * JWT_SECRET for HS256; for ES256/EdDSA a fresh P-256/Ed25519 key as the PKCS#8 PEM an operator
 * would set in JWT_PRIVATE_KEY (passed as a variable of its own: BENCH_SERVICE_ENV splits on
 * spaces, which a PEM has).
 */
export function signingSettings(algorithm: JwtAlgorithm): Record<string, string> {
  if (algorithm === 'HS256') {
    return { JWT_ALGORITHM: algorithm, JWT_SECRET: randomBytes(32).toString('hex') };
  }
  const { privateKey } =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: pem };
}

/** The `alg` in a compact JWS's header, to check that a service signs as it was told to. */
export function tokenAlgorithm(token: string): unknown {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as {
      alg?: unknown;
    };
    return header.alg;
  } catch {
    return undefined;
  }
}
